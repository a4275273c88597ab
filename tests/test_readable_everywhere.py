"""Every template and every message the engine builds with fixed text reads right on every platform.

Templates are rendered with the sample context; the engine's messages come from driving it: a
script of commands (help, usage errors, forms and their hints, the engine's own errors), every button
in what comes back clicked once, every form opened and sent empty (its field errors shown), and every
proactive message the outbox then delivers. Each is rendered by the local web chat, the terminal,
Slack and Teams, and what a person reads there must have no stray `\\` escapes, no literal backticks
or `**`, and code shown as code where the platform has it (Slack mrkdwn, HTML, a styled terminal).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pytest
from sqlmodel import select

from adapters.runtime import Runtime
from bot.content import Content, load_content
from bot.events import Actor, Clicked, Event, Said, Shortcut, Submitted
from bot.messages import OPEN_FORM, Actions, Form, Message, Reply, Text, load_message
from bot.outbox.models import OutboxMessage
from tests.conftest import PROJECT
from tests.programmes.harness import RecordingSender, actor, dm
from tests.readable import PLATFORMS, problems

ADA = actor("ada@example.com", "Europe/London")  # an admin (COACH_ADMINS)
OMAR = actor("omar@example.com", "America/New_York")  # the escalation owner of Compass
UMA = actor("uma@example.com", "Europe/London")
PEOPLE = {"ada": ADA, "omar": OMAR, "uma": UMA}
TEMPLATES = load_content(PROJECT / "content").templates

FLAG = {"output": "The contract renews in March 2027.", "reason": "unclear", "system": "assistant",
        "expected": "", "trace_id": "", "anonymous": "no"}  # fmt: skip
FRICTION = {"system": "assistant", "category": "quality", "severity": "blocks", "trying_to": "Summarise",
            "details": "It missed the decision.", "anonymous": "no"}  # fmt: skip

# Each script: what people do, as (who, "text") or (who, Event-building tuple).
SCRIPTS: dict[str, Sequence[tuple[str, Any]]] = {
    "help": [("uma", "help"), ("ada", "help"), ("uma", "")],
    "unknown words": [("uma", "halp"), ("uma", "blorp")],
    "home": [("uma", "home"), ("omar", "home")],
    "settings": [("uma", "settings")],
    "programme": [("uma", "programme"), ("uma", "stop"), ("uma", "start")],
    "snooze": [("uma", "snooze"), ("uma", "snooze tomorrow"), ("uma", "snooze whenever")],
    "flag": [("uma", "flag"), ("uma", "flag The contract renews in March 2027."), ("uma", "flags")],
    "flag sent": [("uma", ("submit", "escalation.flag", FLAG, "")), ("omar", "home")],
    "long flag": [
        ("uma", "flag " + "The renewal is in March. " * 200),
        ("uma", ("submit", "escalation.flag", {**FLAG, "output": ""}, "draft:1")),
        ("omar", ("click", "escalation.full_output", "1")),
        ("uma", "flag " + "x" * 40_001),
    ],
    "escalation usage": [("uma", "escalation"), ("uma", "escalation 99"), ("uma", "escalation x")],
    "friction": [("uma", "friction"), ("uma", "friction the summary is useless"), ("uma", "this is useless")],
    "friction sent": [("uma", ("submit", "friction.report", FRICTION, "")), ("omar", "friction list")],
    "friction owners": [("omar", "friction summary"), ("omar", "friction show 1"), ("omar", "friction x")],
    "owners": [("uma", "owners"), ("uma", "owners assistant"), ("ada", "owners set"), ("uma", "owners x")],
    "changes": [("uma", "changes"), ("uma", "changes assistant")],
    "readiness and outcomes": [("omar", "readiness"), ("omar", "outcomes"), ("ada", "outcomes x weeks 2")],
    "admins": [("ada", "admins"), ("ada", "admins add"), ("ada", "admins add bea@example.com")],
    "enrol": [("ada", "enrol"), ("ada", "enrol channel"), ("ada", "enrol uma@example.com programme x")],
    "preview": [("ada", "preview"), ("ada", "preview x")],
    "announce": [("ada", "announce"), ("ada", "announcements"), ("ada", "announcement 1"), ("uma", "announce")],
    "outbox": [("ada", "outbox"), ("ada", "outbox retry 99")],
    "engine errors": [
        ("uma", ("submit", "no.such.form", {}, "")),
        ("uma", ("click", "no.such.button", "")),
        ("uma", ("click", OPEN_FORM, "no.such.form|")),
        ("uma", ("shortcut", "no.such.shortcut")),
        ("uma", ("shortcut", "flag.message")),
    ],
}


def _event(who: Actor, step: Any) -> Event:
    if isinstance(step, str):
        return Said(who, dm(who), step)
    kind, *args = step
    if kind == "submit":
        form_id, values, context = args
        return Submitted(who, dm(who), form_id, dict(values), context=context)
    if kind == "click":
        return Clicked(who, dm(who), args[0], args[1])
    return Shortcut(who, dm(who), args[0], message_text="The renewal is in March." if args[0] else None)


async def _drive(runtime: Runtime, script: Sequence[tuple[str, Any]]) -> list[Message | Form]:
    sender = RecordingSender(runtime.clock)  # type: ignore[arg-type]
    runtime.dispatcher.senders["local"] = sender
    followed: list[tuple[Actor, Reply]] = []
    for person in PEOPLE.values():
        followed += [(person, r) for r in await runtime.engine.handle(Said(person, dm(person), "hi"))]
    shown: list[Message | Form] = []
    for who, step in script:
        for reply in await runtime.engine.handle(_event(PEOPLE[who], step)):
            followed.append((PEOPLE[who], reply))
    for who, reply in list(followed):  # one level deeper: every button clicked, every form sent empty
        for button in _buttons(reply.message):
            followed += [(who, r) for r in await runtime.engine.handle(Clicked(who, dm(who), *button))]
    for who, reply in followed:
        if reply.message is not None:
            shown.append(reply.message)
        if reply.form is not None:
            shown.append(reply.form)
            empty = Submitted(who, dm(who), reply.form.form_id, {}, context=reply.form.context)
            for answer in await runtime.engine.handle(empty):
                if answer.form_errors:
                    shown.append(dataclasses.replace(reply.form, errors=dict(answer.form_errors)))
    await runtime.dispatcher.drain()
    shown += [r.message for r in sender.received]
    shown += runtime.store.run_sync(  # what is still queued (deferred by the attention policy)
        lambda s: [load_message(row.payload) for row in s.exec(select(OutboxMessage)).all()]
    )
    return shown


def _buttons(message: Message | None) -> list[tuple[str, str]]:
    if message is None:
        return []
    return [
        (b.action_id, b.value)
        for block in message.blocks
        if isinstance(block, Actions)
        for b in block.buttons
        if b.url is None
    ]


@pytest.mark.parametrize("script", list(SCRIPTS))
async def test_what_the_engine_says_reads_right_everywhere(runtime: Runtime, script: str) -> None:
    shown = await _drive(runtime, SCRIPTS[script])
    assert len(shown) > len(SCRIPTS[script]) + len(PEOPLE)
    crashed = [m for m in shown if isinstance(m, Message) and "something went wrong" in m.summary]
    assert not crashed, "a step failed; see the log"
    found = [f"{p} in {_name(item)}" for item in shown for platform in PLATFORMS for p in problems(platform, item)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_reads_right(content: Content, template: str, platform: str) -> None:
    markdown = content.render(template, **content.sample)
    message = Message(summary=template, blocks=(Text(markdown),))
    assert problems(platform, message) == []


def _name(item: Message | Form) -> str:
    return f"form {item.form_id!r}" if isinstance(item, Form) else f"message {item.summary[:60]!r}"
