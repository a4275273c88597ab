"""A programme step rendered into a neutral message: the template's text, its question, its buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.content import Content, Programme, Question, Step
from bot.content.context import system_context
from bot.inbound import row_id
from bot.markdown import escape, plain_text
from bot.messages import OPEN_FORM, Actions, Block, Button, Context, Message, Text
from bot.people.models import Person

DONE = "prog.done"
SNOOZE = "prog.snooze"
STOP = "prog.stop"
REPORT = "prog.report"
ANSWER = "prog.answer"  # value "REF:answer" for scale and choice buttons
ASK = "prog.answer.open"  # "Answer": opens the form for a number (or a long list of choices)
ANSWER_FORM = "programme.answer"  # form context "REF"
CHANGE = "prog.change"  # value: a pulse answer id; asks its question again
REANSWER = "prog.answer.change"  # value "answer id:answer"
CHANGE_FORM = "programme.answer.change"  # form context: a pulse answer id
MAX_INLINE_CHOICES = 5
PREVIEW = "p"  # a preview's ref owner: "p" and the preview's id


@dataclass(frozen=True)
class StepRef:
    """Which step message a button is on, "OWNER:STEP:SENDING" in its value: the owner is an enrolment
    id (or `p` and a preview's id), the sending counts the times that step went to the person."""

    owner: str
    step: str
    sending: int | None = None  # None on buttons sent before sendings were counted: the latest

    def __str__(self) -> str:
        return f"{self.owner}:{self.step}:{self.sending or 1}"

    @property
    def preview_id(self) -> int | None:
        return int(self.owner[len(PREVIEW) :]) if self.owner.startswith(PREVIEW) else None


def preview_key(preview_id: int, step_key: str) -> str:
    """The outbox key of a preview's step message."""
    return f"preview:{preview_id}:{step_key}"


def parse_ref(raw: str) -> StepRef | None:
    """A StepRef from a button's value or a form's context; None when it is not one."""
    parts = raw.split(":")
    if len(parts) not in (2, 3) or not parts[1]:
        return None
    owner = parts[0]
    if row_id(owner.removeprefix(PREVIEW)) is None:
        return None
    if len(parts) == 2:
        return StepRef(owner, parts[1])
    if not parts[2].isascii() or not parts[2].isdecimal() or len(parts[2]) > 4:
        return None
    return StepRef(owner, parts[1], int(parts[2]))


def is_choice(button: Button) -> bool:
    """The buttons of a step that record something: Done, the answers, Answer."""
    if button.action_id == OPEN_FORM:
        return button.value.startswith(f"{ANSWER_FORM}|")  # messages sent before ASK existed
    return button.action_id in (DONE, ANSWER, ASK, REANSWER)


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
    owner: str,
    sending: int,
    stage: str,
    stats: Stats = Stats(),
) -> Message:
    """`owner` is the enrolment's id, or `p` and a preview's id: the buttons carry it."""
    context = step_context(
        person=person, programme=programme, step=step, content=content, stage=stage, stats=stats
    )
    body = content.render(step.template, **context)
    blocks: list[Block] = [Text(body)]
    ref = str(StepRef(owner, step.key, sending))
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
    return question_buttons(question, ANSWER, ref)


def question_buttons(question: Question, action_id: str, ref: str) -> tuple[Button, ...]:
    """One button per answer when they are few, else an Answer button that opens a form."""
    if (
        question.kind == "scale"
        and question.min is not None
        and question.max is not None
        and question.max - question.min < MAX_INLINE_CHOICES * 2
    ):
        return tuple(
            Button(action_id, str(n), value=f"{ref}:{n}") for n in range(question.min, question.max + 1)
        )
    if question.kind == "choice" and len(question.options) <= MAX_INLINE_CHOICES:
        return tuple(
            Button(action_id, option, value=f"{ref}:{i}") for i, option in enumerate(question.options)
        )
    if action_id == REANSWER:
        return (Button(OPEN_FORM, "Answer", value=f"{CHANGE_FORM}|{ref}", style="primary"),)
    return (Button(ASK, "Answer", value=ref, style="primary"),)


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
