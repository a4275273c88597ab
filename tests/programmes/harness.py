"""A controllable-clock harness: jumps the clock from one due moment to the next and records sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import select

from adapters.runtime import Runtime
from bot.events import Actor, Place, Said
from bot.messages import Message, Reply, Text
from bot.outbox import service as outbox
from bot.ports import FixedClock, Outgoing, Sent
from bot.schedule.models import DueState, DueWork


@dataclass(frozen=True)
class Received:
    at: datetime
    user: str
    message: Message
    key: str
    update_of: str | None = None  # the id of the message this one updated in place

    @property
    def text(self) -> str:
        return "\n".join(b.markdown for b in self.message.blocks if isinstance(b, Text))


class RecordingSender:
    platform = "local"

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.received: list[Received] = []
        self.updates: dict[str, Message] = {}  # message id -> what it shows after its last update

    async def send(self, outgoing: Outgoing) -> Sent:
        user = str(outgoing.address.get("user"))
        update_of = outgoing.update_message_id
        self.received.append(
            Received(self.clock.now(), user, outgoing.message, outgoing.idempotency_key, update_of)
        )
        if update_of:
            self.updates[update_of] = outgoing.message
            return Sent(message_id=update_of)
        return Sent(message_id=f"m{len(self.received)}")

    def message_id(self, key: str) -> str:
        """The id this sender gave the message queued under `key` (what a click on it reports)."""
        index = next(i for i, r in enumerate(self.received) if r.key == key)
        return f"m{index + 1}"

    def shown(self, key: str) -> Message:
        """What the message sent under `key` shows now, after any update."""
        message_id = self.message_id(key)
        return self.updates.get(message_id) or self.received[int(message_id[1:]) - 1].message

    def to(self, user: str) -> list[Received]:
        return [r for r in self.received if r.user == user]


def actor(email: str, timezone: str) -> Actor:
    return Actor(
        "local",
        "local",
        email,
        display_name=email.split("@")[0].title(),
        email=email,
        timezone=timezone,
        address={"user": email},
    )


def dm(a: Actor) -> Place:
    return Place("local", "local", f"dm:{a.user_id}", True, address=a.address)


async def say(runtime: Runtime, a: Actor, text: str) -> list[Reply]:
    return await runtime.engine.handle(Said(a, dm(a), text))


def _next_moment(runtime: Runtime) -> datetime | None:
    def query(session):  # type: ignore[no-untyped-def]
        due = session.exec(select(func.min(DueWork.due_at)).where(DueWork.state == DueState.pending)).first()
        return due, outbox.next_due(session=session)

    due, send = runtime.store.run_sync(query)
    moments = [m for m in (due, send) if m is not None]
    return min(moments) if moments else None


async def run_until(runtime: Runtime, clock: FixedClock, end: datetime) -> None:
    """Advance the clock to each due moment up to `end`, running due work and the outbox there."""
    while True:
        await runtime.run_due_work()
        moment = _next_moment(runtime)
        if moment is None or moment > end:
            clock.at = max(clock.at, end)
            await runtime.run_due_work()
            return
        clock.at = max(clock.at, moment)
