"""Who someone is in the local chat: actors, places and addresses (the demo people are `bot.demo.people`).

A local address is `{"user": EMAIL}` for a person's direct conversation with the bot, or
`{"channel": NAME}` for a channel everyone viewing it shares. `address_key` turns either into the
key the hub files conversations under.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import available_timezones

from bot.demo.people import name_for
from bot.events import Actor, Place

WORKSPACE = "local"
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
_CHANNEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


DEMO_CHANNELS = ("esc-assistant",)


class BadAddress(ValueError):
    """Not an address the local chat can deliver to."""


def clean_email(raw: str) -> str | None:
    email = raw.strip().lower()
    return email if _EMAIL.match(email) else None


def clean_channel(raw: str) -> str | None:
    name = raw.strip().lstrip("#").lower()
    return name if _CHANNEL.match(name) else None


def clean_timezone(raw: str | None) -> str | None:
    return raw if raw and raw in available_timezones() else None


def display_name(email: str, typed: str | None = None) -> str:
    """A typed name, a demo person's name, or one made from the email's local part."""
    if typed and typed.strip():
        return typed.strip()[:80]
    return name_for(email)


def user_address(email: str) -> dict[str, str]:
    return {"user": email}


def channel_address(name: str) -> dict[str, str]:
    return {"channel": name}


def address_key(address: Mapping[str, Any]) -> str:
    """`user:EMAIL` or `channel:NAME`; raises BadAddress for anything else."""
    if set(address) == {"user"} and isinstance(address["user"], str) and clean_email(address["user"]):
        return f"user:{address['user'].lower()}"
    if (
        set(address) == {"channel"}
        and isinstance(address["channel"], str)
        and clean_channel(address["channel"])
    ):
        return f"channel:{address['channel'].lower()}"
    raise BadAddress(f"not a local chat address: {dict(address)!r}")


def actor(email: str, *, name: str | None = None, timezone: str | None = None) -> Actor:
    return Actor(
        platform="local",
        workspace=WORKSPACE,
        user_id=email,
        display_name=display_name(email, name),
        email=email,
        timezone=timezone,
        address=user_address(email),
    )


def dm_place(email: str, *, thread_id: str | None = None) -> Place:
    return Place(
        platform="local",
        workspace=WORKSPACE,
        channel_id=f"dm:{email}",
        is_direct=True,
        thread_id=thread_id,
        address=user_address(email),
    )


def channel_place(name: str, *, thread_id: str | None = None) -> Place:
    return Place(
        platform="local",
        workspace=WORKSPACE,
        channel_id=name,
        is_direct=False,
        thread_id=thread_id,
        address=channel_address(name),
    )
