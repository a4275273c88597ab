"""Inbound neutral events: what an adapter makes of a platform request.

Adapters build these (`translate`); the engine routes them to flows. They carry no platform objects;
`Place.address` is opaque JSON that only the adapter which wrote it reads back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Platform = Literal["local", "slack", "teams"]
JSON = Mapping[str, Any]


@dataclass(frozen=True)
class Actor:
    """Who did something, as the platform knows them."""

    platform: Platform
    workspace: str  # Slack team id, Teams tenant id, "local"
    user_id: str
    display_name: str | None = None
    email: str | None = None
    timezone: str | None = None  # IANA name from the platform profile, when it gives one
    address: JSON = field(default_factory=dict)  # how to reach this person directly later


@dataclass(frozen=True)
class Place:
    """Where it happened: a direct conversation with the bot or a channel, maybe a thread."""

    platform: Platform
    workspace: str
    channel_id: str
    is_direct: bool
    thread_id: str | None = None
    address: JSON = field(default_factory=dict)
    private_replies: bool = False  # the platform can show a reply here to the actor alone (Slack)


@dataclass(frozen=True)
class Said:
    """Text written to the bot: a DM, a mention, a slash command or a thread reply."""

    actor: Actor
    place: Place
    text: str
    message_id: str | None = None
    via: Literal["message", "mention", "command", "thread_reply"] = "message"
    event_id: str | None = None  # platform id for de-duplication of retries
    mentioned: bool = False  # a thread reply that @mentions the bot: a command where the thread isn't ours


@dataclass(frozen=True)
class Clicked:
    """A button pressed on a message the bot sent."""

    actor: Actor
    place: Place
    action_id: str
    value: str = ""
    message_id: str | None = None  # the message that carried the button, to update it
    event_id: str | None = None


@dataclass(frozen=True)
class Submitted:
    """A form filled in and sent. `context` is what the form carried (Form.context)."""

    actor: Actor
    place: Place
    form_id: str
    values: Mapping[str, str]
    context: str = ""
    event_id: str | None = None


@dataclass(frozen=True)
class Shortcut:
    """A platform shortcut: global (no message) or on a message (`message_text` and `message_link`)."""

    actor: Actor
    place: Place
    shortcut_id: str
    message_text: str | None = None
    message_link: str | None = None
    message_author: str | None = None
    event_id: str | None = None


@dataclass(frozen=True)
class Opened:
    """The person opened the bot's home, installed it or met it for the first time."""

    actor: Actor
    place: Place
    surface: Literal["home", "install", "first_contact"] = "home"
    event_id: str | None = None


Event = Said | Clicked | Submitted | Shortcut | Opened


_EVENT_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (Said, Clicked, Submitted, Shortcut, Opened)
}


def dump_event(event: Event) -> dict[str, Any]:
    """The event as JSON (parked across a restart in bot.inbox); `load_event` reads it back."""
    return {"type": type(event).__name__, **dataclasses.asdict(event)}


def load_event(data: Mapping[str, Any]) -> Event:
    fields = {key: value for key, value in data.items() if key != "type"}
    fields["actor"] = Actor(**fields["actor"])
    fields["place"] = Place(**fields["place"])
    event: Event = _EVENT_TYPES[str(data["type"])](**fields)
    return event
