"""What the engine needs from the outer ring: a sender and a directory per platform, and a clock.

Adapters implement `Sender` and `Directory`; the outbox dispatcher calls it. A sender raises `RetryLater` for rate
limits and transient failures, `Unreachable` when the platform cannot reach that address at all, and
`PermanentFailure` for anything retrying cannot fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from bot.events import Actor
from bot.messages import Message


@dataclass(frozen=True)
class Outgoing:
    """One message to send to an opaque platform address (a person's DM or a channel)."""

    address: Mapping[str, Any]
    message: Message
    idempotency_key: str
    thread_id: str | None = None  # post as a reply in this thread
    update_message_id: str | None = None  # replace this message instead of posting
    attempt: int = 1  # how many times this row was tried, this one included (rate limits not counted)
    look_back: bool = False  # an earlier try may have arrived (timed out, cut off): look first if you can


@dataclass(frozen=True)
class Sent:
    message_id: str
    thread_id: str | None = None  # the thread the message started or joined, for relayed replies
    address: Mapping[str, Any] | None = None  # a better address learned (Slack: the DM's channel id)


class RetryLater(Exception):
    """Try again later; `throttled` when the platform said so with a rate-limit answer (HTTP 429), `paced`
    when the coach's own pacing said so before asking the platform. Neither is one of the row's attempts."""

    def __init__(
        self,
        reason: str,
        *,
        after_seconds: float | None = None,
        throttled: bool = False,
        conversation_only: bool = False,
        paced: bool = False,
    ) -> None:
        super().__init__(reason)
        self.after_seconds = after_seconds
        self.throttled = throttled
        # The sender itself holds what the refusal was about (a Teams conversation, or a tenant on the
        # shared pace): the platform's other rows go on meanwhile.
        self.conversation_only = conversation_only
        self.paced = paced


class Unreachable(Exception):
    """The platform cannot deliver to this address (e.g. a Teams user who never installed the app)."""


class PermanentFailure(Exception):
    pass


class Sender(Protocol):
    platform: str

    async def send(self, outgoing: Outgoing) -> Sent: ...


class Directory(Protocol):
    """Who is in a channel, as the platform knows them.

    `address` is the channel's opaque address (a place's address). Each member's `Actor.address` is how
    to reach that person directly, or {} when the platform cannot yet (a Teams user who never installed
    the app). Bots and deactivated accounts are left out.
    """

    async def members(self, address: Mapping[str, Any]) -> list[Actor]: ...


@runtime_checkable
class PeopleFinder(Protocol):
    """Who the platform knows by email, for people the coach knows only by email (enrolled, imported,
    named as owners): each found one is an Actor whose `address` reaches them directly, so they can be
    messaged before they ever write. `workspaces` are those the coach has met on that platform; the
    adapter adds its own."""

    async def by_email(self, emails: Sequence[str], *, workspaces: Sequence[str]) -> dict[str, Actor]: ...


@runtime_checkable
class Roster(Protocol):
    """Everyone the platform shows the coach in a workspace (Slack: the workspace's people; Teams: the
    members of the teams the app is installed in), bots and deactivated accounts left out, read in the
    platform's paged bulk calls within its quotas. Each Actor's `address` reaches them directly, or is {}
    when the platform does not let the coach write to them yet (a Teams group chat's member without the
    app; a team's members can be written to). `places` are the addresses of the channels the coach has
    seen in that workspace (Teams reads their teams' rosters; Slack needs none)."""

    async def everyone(self, workspace: str, places: Sequence[Mapping[str, Any]]) -> list[Actor]: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.at = self.at + timedelta(**delta)
