"""Driving escalations through the engine on the local adapter: people, the channel, a recording sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.runtime import Runtime
from bot.escalations.models import Escalation
from bot.events import Actor, Clicked, Place, Said, Submitted
from bot.markdown import plain_text
from bot.messages import Message, Quote, Reply, Text
from bot.ports import FixedClock, Outgoing, Sent
from tests.programmes.harness import actor, dm

UMA = actor("uma@example.com", "Europe/London")
OMAR = actor("omar@example.com", "America/New_York")
BEA = actor("bea@example.com", "Europe/London")
IVAN = actor("ivan@example.com", "Europe/London")
ADA = actor("ada@example.com", "Europe/London")
CHANNEL = "esc-assistant"


@dataclass(frozen=True)
class Got:
    at: datetime
    address: dict[str, Any]
    message: Message
    key: str
    update_of: str | None
    thread_id: str | None
    message_id: str

    @property
    def text(self) -> str:
        return "\n".join(plain_text(b.markdown) for b in self.message.blocks if isinstance(b, Text))

    def quotes(self) -> dict[str | None, str]:
        return {b.label: b.text for b in self.message.blocks if isinstance(b, Quote)}


class Recorder:
    """Records deliveries to people ({"user": email}) and channels ({"channel": id})."""

    platform = "local"

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.got: list[Got] = []

    async def send(self, outgoing: Outgoing) -> Sent:
        message_id = outgoing.update_message_id or f"m{len(self.got) + 1}"
        self.got.append(
            Got(
                self.clock.now(),
                dict(outgoing.address),
                outgoing.message,
                outgoing.idempotency_key,
                outgoing.update_message_id,
                outgoing.thread_id,
                message_id,
            )
        )
        return Sent(message_id=message_id)

    def to(self, email: str) -> list[Got]:
        return [g for g in self.got if g.address.get("user") == email]

    def in_channel(self, channel: str = CHANNEL) -> list[Got]:
        return [g for g in self.got if g.address.get("channel") == channel]


def install(runtime: Runtime) -> Recorder:
    assert isinstance(runtime.clock, FixedClock)
    recorder = Recorder(runtime.clock)
    runtime.dispatcher.senders["local"] = recorder
    return recorder


def channel_place(thread_id: str | None = None) -> Place:
    return Place("local", "local", CHANNEL, False, thread_id=thread_id, address={"channel": CHANNEL})


async def meet(runtime: Runtime, *people: Actor) -> None:
    """Each person talks to the bot once, so the bot can reach them and knows their time zone."""
    for person in people:
        await runtime.engine.handle(Said(person, dm(person), "hi"))


async def flag(
    runtime: Runtime, who: Actor, output: str, *, anonymous: bool = False, system: str = "assistant"
) -> list[Reply]:
    values = {
        "output": output,
        "reason": "unclear",
        "expected": "The renewal date from clause 4.2",
        "system": system,
        "trace_id": "trace-77",
        "anonymous": "yes" if anonymous else "no",
    }
    return await runtime.engine.handle(
        Submitted(who, dm(who), "escalation.flag", values, context="https://chat.example/archives/C1/p17")
    )


async def click(
    runtime: Runtime, who: Actor, action_id: str, value: str, place: Place | None = None
) -> list[Reply]:
    return await runtime.engine.handle(Clicked(who, place or dm(who), action_id, value))


async def submit(
    runtime: Runtime, who: Actor, form_id: str, values: dict[str, str], context: str
) -> list[Reply]:
    return await runtime.engine.handle(Submitted(who, dm(who), form_id, values, context=context))


def escalation(runtime: Runtime, escalation_id: int = 1) -> Escalation:
    row = runtime.store.run_sync(lambda s: s.get(Escalation, escalation_id))
    assert row is not None
    return row


def words(replies: list[Reply]) -> str:
    out: list[str] = []
    for reply in replies:
        if reply.message is None:
            continue
        for block in reply.message.blocks:
            markdown = getattr(block, "markdown", None)
            out.append(plain_text(markdown) if markdown is not None else getattr(block, "text", ""))
            out.extend(f"{f.label}: {f.value}" for f in getattr(block, "items", ()))
    return "\n".join(out)
