"""A programme step rendered into a neutral message: the template's text, its question, its buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.content import Content, Programme, Step
from bot.content.context import system_context
from bot.markdown import escape, plain_text
from bot.messages import Actions, Block, Button, Context, Message, Text
from bot.people.models import Person

DONE = "prog.done"
SNOOZE = "prog.snooze"
STOP = "prog.stop"
REPORT = "prog.report"
ANSWER = "prog.answer"  # value "enrolment:step:answer" for scale and choice buttons
ANSWER_FORM = "programme.answer"  # form context "enrolment:step"
MAX_INLINE_CHOICES = 5


@dataclass(frozen=True)
class Stats:
    uses: int = 0
    active_days: int = 0
    minutes_saved: float = 0
    weeks: int = 0


def step_context(
    *, person: Person, programme: Programme, step: Step, content: Content, stage: str, stats: Stats = Stats()
) -> dict[str, Any]:
    numbers = [s.key for s in programme.steps]
    return {
        "app": {"name": "Adoption Coach"},
        "person": {
            "name": person.display_name or person.first_name,
            "first_name": person.first_name,
            "email": person.email or "",
            "stage": stage,
            "timezone": person.effective_timezone or "",
        },
        "system": system_context(content.systems.get(programme.system), programme.system),
        "programme": {"key": programme.key, "name": programme.name, "version": programme.version},
        "step": {
            "key": step.key,
            "kind": step.kind,
            "number": numbers.index(step.key) + 1,
            "total": len(numbers),
        },
        "stats": {
            "uses": stats.uses,
            "active_days": stats.active_days,
            "minutes_saved": round(stats.minutes_saved),
            "weeks": stats.weeks,
        },
        "question": {"key": step.question.key, "prompt": step.question.prompt} if step.question else {},
    }


def step_message(
    *,
    content: Content,
    programme: Programme,
    step: Step,
    person: Person,
    enrolment_id: int,
    stage: str,
    stats: Stats = Stats(),
) -> Message:
    context = step_context(
        person=person, programme=programme, step=step, content=content, stage=stage, stats=stats
    )
    body = content.render(step.template, **context)
    blocks: list[Block] = [Text(body)]
    ref = f"{enrolment_id}:{step.key}"
    if step.question is not None:
        blocks.append(Text(f"**{escape(step.question.prompt)}**"))
        blocks.append(Actions(_question_buttons(step, ref)))
    buttons = tuple(_button(b.action, b.label, b.url, ref, programme.system) for b in step.buttons)
    if buttons:
        blocks.append(Actions(buttons))
    number = context["step"]["number"]
    blocks.append(
        Context(
            f"{escape(programme.name)} · step {number} of {len(programme.steps)} · `snooze` or `stop` any time"
        )
    )
    summary = plain_text(body.splitlines()[0])[:150] if body else programme.name
    return Message(summary=summary, blocks=tuple(blocks))


def _question_buttons(step: Step, ref: str) -> tuple[Button, ...]:
    question = step.question
    assert question is not None
    if (
        question.kind == "scale"
        and question.min is not None
        and question.max is not None
        and question.max - question.min < MAX_INLINE_CHOICES * 2
    ):
        return tuple(
            Button(ANSWER, str(n), value=f"{ref}:{n}") for n in range(question.min, question.max + 1)
        )
    if question.kind == "choice" and len(question.options) <= MAX_INLINE_CHOICES:
        return tuple(Button(ANSWER, option, value=f"{ref}:{i}") for i, option in enumerate(question.options))
    return (Button("form.open", "Answer", value=f"{ANSWER_FORM}|{ref}", style="primary"),)


def _button(action: str, label: str | None, url: str | None, ref: str, system: str) -> Button:
    if action == "link":
        return Button("prog.link", label or "Open", url=url)
    if action == "done":
        return Button(DONE, label or "Done", value=ref, style="primary")
    if action == "snooze":
        return Button(SNOOZE, label or "Snooze", value=ref)
    if action == "stop":
        return Button(STOP, label or "Stop these messages", value=ref, style="danger")
    return Button(REPORT, label or "Something's not working", value=f"{system}:{ref}")
