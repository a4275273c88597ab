"""Drive announcement flows at the engine level: say, click, submit, as a local-chat person would."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.runtime import Runtime
from bot.events import Actor, Clicked, Submitted
from bot.messages import OPEN_FORM, Actions, Button, Form, Message, Reply
from tests.programmes.harness import actor, dm, say

ADA = actor("ada@example.com", "Europe/London")  # an admin (COACH_ADMINS)
DEV = actor("dev@example.com", "Europe/London")  # Compass's change communicator (systems.yaml)
UMA = actor("uma@example.com", "Europe/London")  # nobody special
KENJI = actor("kenji@example.com", "Asia/Tokyo")
LUCY = actor("lucy@example.com", "America/Los_Angeles")
MARIA = actor("maria@example.com", "Europe/Madrid")

__all__ = ["ADA", "DEV", "KENJI", "LUCY", "MARIA", "UMA", "click", "compose", "say", "submit"]


def text_of(message: Message | None) -> str:
    out: list[str] = []
    for b in message.blocks if message else ():
        out.append(getattr(b, "markdown", "") or getattr(b, "text", ""))
        out.extend(f"{f.label}: {f.value}" for f in getattr(b, "items", ()))
    return "\n".join(out)


def texts(replies: list[Reply]) -> str:
    return "\n".join(text_of(r.message) for r in replies)


def buttons(message: Message | None) -> list[Button]:
    return [
        b
        for block in (message.blocks if message else ())
        if isinstance(block, Actions)
        for b in block.buttons
    ]


def button(message: Message | None, label: str) -> Button:
    found = [b for b in buttons(message) if b.label == label]
    assert found, f"no button {label!r} in {[b.label for b in buttons(message)]}"
    return found[0]


async def click(runtime: Runtime, who: Actor, b: Button) -> list[Reply]:
    return await runtime.engine.handle(Clicked(who, dm(who), b.action_id, b.value))


async def open_form(runtime: Runtime, who: Actor, b: Button) -> Form:
    assert b.action_id == OPEN_FORM
    replies = await click(runtime, who, b)
    assert replies and replies[0].form is not None, texts(replies)
    return replies[0].form


async def submit(runtime: Runtime, who: Actor, form: Form, values: Mapping[str, str]) -> list[Reply]:
    return await runtime.engine.handle(
        Submitted(who, dm(who), form.form_id, dict(values), context=form.context)
    )


COMPOSE_DEFAULTS = {
    "title": "Compass now reads spreadsheets",
    "body": "Hi {{ person.first_name }}, from today Compass reads **.xlsx** files you attach.",
    "system": "assistant",
    "model_version": "compass-2026-12",
    "audience_kind": "people",
    "audience_param": "kenji@example.com, lucy@example.com, maria@example.com",
    "when": "now",
    "ack_required": "yes",
    "critical": "no",
}


async def compose(runtime: Runtime, who: Actor, **values: str) -> list[Reply]:
    """`announce`, Compose, fill the form: the replies to the submission (a preview or form errors)."""
    replies = await say(runtime, who, "announce")
    form = await open_form(runtime, who, button(replies[-1].message, "Compose"))
    return await submit(runtime, who, form, {**COMPOSE_DEFAULTS, **values})
