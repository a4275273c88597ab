"""Shared pieces for the friction tests: people, places, a sender that keeps every message it is handed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from adapters.runtime import Runtime
from bot.events import Actor, Clicked, Place, Said, Submitted
from bot.friction.models import FrictionReport
from bot.messages import Actions, Button, Message, Reply, dump_message
from bot.ports import FixedClock, Outgoing, Sent
from tests.programmes.harness import actor, dm

UMA = actor("uma@example.com", "Europe/London")
DEV = actor("dev@example.com", "Europe/London")  # the programme owner of "assistant"
ADA = actor("ada@example.com", "Europe/London")  # an admin and the programme owner's backup
OMAR = actor("omar@example.com", "Europe/London")  # owns escalations, not friction
CHANNEL = Place("local", "local", "esc-assistant", False, address={"channel": "esc-assistant"})


@dataclass(frozen=True)
class Delivered:
    address: dict[str, Any]
    message: Message
    key: str

    @property
    def to(self) -> str:
        return str(self.address.get("user") or self.address.get("channel"))

    def dump(self) -> str:
        return json.dumps({"address": self.address, "message": dump_message(self.message)})

    @property
    def text(self) -> str:
        """The markdown and quoted text as the renderer gets it (not JSON-escaped)."""
        parts = []
        for block in self.message.blocks:
            parts.append(getattr(block, "markdown", "") or getattr(block, "text", ""))
        return "\n".join(parts)

    def buttons(self) -> list[Button]:
        return [b for block in self.message.blocks if isinstance(block, Actions) for b in block.buttons]


class Recorder:
    platform = "local"

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.delivered: list[Delivered] = []

    async def send(self, outgoing: Outgoing) -> Sent:
        self.delivered.append(Delivered(dict(outgoing.address), outgoing.message, outgoing.idempotency_key))
        return Sent(message_id=f"m{len(self.delivered)}")

    def friction(self, to: str | None = None) -> list[Delivered]:
        return [d for d in self.delivered if d.key.startswith("friction") and (to is None or d.to == to)]


def record(runtime: Runtime, clock: FixedClock) -> Recorder:
    recorder = Recorder(clock)
    runtime.dispatcher.senders["local"] = recorder
    return recorder


def values(**overrides: str) -> dict[str, str]:
    return {
        "trying_to": "Summarise the supplier thread",
        "category": "speed",
        "severity": "blocks",
        "details": "It takes forever to load and then times out.",
        "system": "assistant",
        "anonymous": "no",
        **overrides,
    }


async def file_report(runtime: Runtime, who: Actor, **overrides: str) -> list[Reply]:
    return await runtime.engine.handle(
        Submitted(who, dm(who), "friction.report", values(**overrides), context="assistant")
    )


async def click(
    runtime: Runtime, who: Actor, action_id: str, value: str, place: Place | None = None
) -> list[Reply]:
    return await runtime.engine.handle(Clicked(who, place or dm(who), action_id, value=value))


async def say(runtime: Runtime, who: Actor, text: str) -> list[Reply]:
    return await runtime.engine.handle(Said(who, dm(who), text))


def reports(runtime: Runtime) -> list[FrictionReport]:
    from sqlmodel import col, select

    return list(
        runtime.store.run_sync(
            lambda s: s.exec(select(FrictionReport).order_by(col(FrictionReport.id))).all()
        )
    )


def shown(replies: list[Reply]) -> str:
    """Everything a person would see in these replies, forms included."""
    out = []
    for reply in replies:
        if reply.message is not None:
            out.append(json.dumps(dump_message(reply.message)))
        if reply.form is not None:
            from bot.messages import dump_form

            out.append(json.dumps(dump_form(reply.form)))
    return "\n".join(out)
