"""Slack events acknowledged but not handled when the process stopped, kept for the next one.

A stop parks them in bot.inbox (adapters/slack/after_ack.py says when) with how to answer them: the
response_url (Slack honours it for 30 minutes) and what the click carried. A trigger_id lasts 3
seconds, so it is not kept: a form comes back as a message with a button that opens it. The next
process to start takes them, and a running one looks every REPLAY_SECONDS (a rolling restart's new
process started before the old one parked anything).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond

from adapters.slack.replies import Surface
from bot.events import Event
from bot.inbox import service as inbox
from bot.ports import Clock
from bot.store.db import Store

PLATFORM = "slack"
REPLAY_SECONDS = 60.0


@dataclass(frozen=True)
class Parcel:
    """What a queued job needs to be handled by another process."""

    event: Event
    surface: Surface
    interactive: bool


@dataclass(frozen=True)
class Taken:
    event: Event
    surface: Surface
    interactive: bool


async def park(*, store: Store, clock: Clock, parcels: list[Parcel]) -> None:
    items = [inbox.Parked(event=p.event, reply=_reply(p.surface, interactive=p.interactive)) for p in parcels]
    now = clock.now()
    await store.run(lambda s: inbox.park(session=s, platform=PLATFORM, parked=items, now=now))


async def take(*, store: Store) -> list[Taken]:
    if not await store.read(lambda s: inbox.waiting(session=s, platform=PLATFORM)):
        return []
    items = await store.run(lambda s: inbox.take(session=s, platform=PLATFORM))
    return [
        Taken(event=item.event, surface=_surface(item.reply), interactive=bool(item.reply.get("interactive")))
        for item in items
    ]


def _reply(surface: Surface, *, interactive: bool) -> dict[str, Any]:
    return {
        "response_url": getattr(surface.respond, "response_url", None),
        "respond_all": surface.respond_all,
        "source_is_ephemeral": surface.source_is_ephemeral,
        "prefill": dict(surface.prefill),
        "interactive": interactive,
    }


def _surface(reply: Mapping[str, Any]) -> Surface:
    url = reply.get("response_url")
    return Surface(
        respond=AsyncRespond(response_url=str(url)) if url else None,
        respond_all=bool(reply.get("respond_all")),
        source_is_ephemeral=bool(reply.get("source_is_ephemeral")),
        prefill={str(k): str(v) for k, v in dict(reply.get("prefill") or {}).items()},
    )
