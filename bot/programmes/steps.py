"""The buttons on every programme step: done, answers to its question, "something's not working".

A step's buttons name the step message they are on (`messages.StepRef`): an enrolment's step and which
sending of it, or a step of a preview. A choice is recorded once per step message and the message then
shows it in place of its choice buttons (`bot.choices`); a click on a stale copy changes nothing. What a
preview's buttons record stays with the preview (`ProgrammePreview`), never in the enrolment.
Every answer is checked here, whichever way it came (a button's value can be forged, a form typed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.choices import already, chosen, settle
from bot.content import Programme, Question, Step
from bot.events import Clicked, Submitted
from bot.markdown import escape
from bot.messages import Field, Form, Message, Option, Reply, load_message, text_message
from bot.outbox import service as outbox
from bot.programmes import due, service
from bot.programmes import messages as m
from bot.programmes.models import Enrolment, ProgrammePreview, PulseAnswer
from bot.routing import FormSpec, Router
from bot.turn import Turn, UserError

NOT_YOURS = "That button belongs to someone else's programme."
PREVIEW_NOTE = "_A preview: your own programme is unchanged._"


def register(router: Router) -> None:
    router.action(m.DONE, done_clicked)
    router.action(m.ANSWER, answer_clicked)
    router.action(m.ASK, ask_clicked)
    router.action(m.REPORT, report_clicked)
    router.form(FormSpec(m.ANSWER_FORM, build_answer_form, submit_answer_form))


@dataclass(frozen=True)
class Target:
    """The step message a button or form is about, checked to be the person's own."""

    programme: Programme
    step: Step
    sending: int
    enrolment: Enrolment | None = None  # exactly one of these two
    preview: ProgrammePreview | None = None

    @property
    def owner(self) -> str:
        if self.preview is not None:
            return f"{m.PREVIEW}{self.preview.id}"
        assert self.enrolment is not None
        return str(self.enrolment.id)

    @property
    def outbox_key(self) -> str:
        """The key the step message was queued under (`due.run_due_step`, `enrolment.preview_to`)."""
        if self.preview is not None:
            return m.preview_key(self.preview.id or 0, self.step.key)
        return f"programme:{self.owner}:{self.step.key}:{self.sending}"

    @property
    def question(self) -> Question:
        if self.step.question is None:
            raise UserError("That step has no question.")
        return self.step.question


def target(turn: Turn, raw: str) -> Target:
    ref = m.parse_ref(raw)
    if ref is None:
        raise UserError(NOT_YOURS)
    if ref.preview_id is not None:
        preview = turn.session.get(ProgrammePreview, ref.preview_id)
        if preview is None or preview.person_id != turn.person_id or (ref.sending or 1) != 1:
            raise UserError(NOT_YOURS)
        programme = service.programme_version(
            session=turn.session, content=turn.content, key=preview.programme_key, version=preview.version
        )
        return Target(programme, _step(programme, ref.step), 1, preview=preview)
    enrolment = turn.session.get(Enrolment, int(ref.owner))
    if enrolment is None or enrolment.person_id != turn.person_id:
        raise UserError(NOT_YOURS)
    programme = service.programme_for(session=turn.session, content=turn.content, enrolment=enrolment)
    step = _step(programme, ref.step)
    sent = service.all_progress(session=turn.session, enrolment_id=enrolment.id or 0).get(step.key)
    times = sent.times_sent if sent is not None else 0
    sending = ref.sending or times
    if not 1 <= sending <= times:
        raise UserError("That step hasn't been sent to you.")
    return Target(programme, step, sending, enrolment=enrolment)


def _step(programme: Programme, key: str) -> Step:
    step = next((s for s in programme.steps if s.key == key), None)
    if step is None:
        raise UserError("That step is no longer in the programme.")
    return step


# --- what is recorded, and the step message that shows it ---------------------------------------


@dataclass(frozen=True)
class Recorded:
    done: bool
    answer: str | None  # as shown


def recorded(turn: Turn, at: Target, *, lock: bool = False) -> Recorded:
    """What the person chose on this step message; `lock` holds the step until the unit of work ends,
    so two clicks at one moment are decided one after the other (PostgreSQL; SQLite has one writer)."""
    if at.preview is not None:
        row = service.preview_step_to_change(
            session=turn.session, preview_id=at.preview.id or 0, step_key=at.step.key
        )
        return Recorded(row.done_at is not None, row.answer)
    assert at.enrolment is not None
    enrolment_id = at.enrolment.id or 0
    if lock:
        service.progress_to_change(session=turn.session, enrolment_id=enrolment_id, step_key=at.step.key)
    progress = service.all_progress(session=turn.session, enrolment_id=enrolment_id).get(at.step.key)
    answer = service.answer_to(
        session=turn.session, enrolment_id=enrolment_id, step_key=at.step.key, sending=at.sending
    )
    return Recorded(progress is not None and progress.done_at is not None, shown(answer))


def shown(answer: PulseAnswer | None) -> str | None:
    if answer is None:
        return None
    if answer.text is not None:
        return answer.text
    return f"{answer.number:g}" if answer.number is not None else "?"


def settled(turn: Turn, at: Target) -> Message:
    """The step message as it was sent, showing what is recorded instead of its choice buttons."""
    row = outbox.by_key(session=turn.session, key=at.outbox_key)
    if row is not None:
        source = load_message(row.payload)
    else:  # sent before step messages were kept under these keys
        source = m.step_message(
            content=turn.content,
            programme=at.programme,
            step=at.step,
            person=turn.person,
            owner=at.owner,
            sending=at.sending,
            stage=at.enrolment.stage if at.enrolment else "invited",
        )
    now = recorded(turn, at)
    if now.answer is not None:
        note = f"Thanks, noted: **{escape(now.answer)}**. 🙏"
    elif now.done:
        note = f"**{escape(done_label(at.step))}**: nice one, marked as done."
    else:
        return source
    if at.preview is not None:
        note = f"{note} {PREVIEW_NOTE}"
    return settle(source, note=note, is_choice=m.is_choice)


def done_label(step: Step) -> str:
    return next((b.label or "Done" for b in step.buttons if b.action == "done"), "Done")


# --- Done --------------------------------------------------------------------------------------


def done_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    at = target(turn, event.value)
    before = recorded(turn, at, lock=True)
    if before.done:
        return already(settled(turn, at), before.answer or done_label(at.step))
    _mark_done(turn, at)
    return chosen(settled(turn, at))


def _mark_done(turn: Turn, at: Target) -> None:
    if at.preview is not None:
        row = service.preview_step_to_change(
            session=turn.session, preview_id=at.preview.id or 0, step_key=at.step.key
        )
        row.done_at = row.done_at or turn.now
        return
    assert at.enrolment is not None
    progress = service.progress(session=turn.session, enrolment_id=at.enrolment.id or 0, step_key=at.step.key)
    if progress.done_at is None:
        progress.done_at = turn.now
        due.refresh(session=turn.session, enrolment=at.enrolment, content=turn.content, now=turn.now)


# --- answers -----------------------------------------------------------------------------------


def parse_answer(question: Question, raw: str) -> tuple[float | None, str | None]:
    """(number, text) of an answer to `question`; ValueError says what a valid answer is."""
    raw = raw.strip()
    if question.kind == "choice":
        if not raw.isdecimal() or int(raw) >= len(question.options):
            raise ValueError("Pick one of the options.")
        return None, question.options[int(raw)]
    low, high = question.min, question.max
    assert low is not None and high is not None  # the content schema requires both
    try:
        number = float(raw)
    except ValueError:
        raise ValueError("A number, please.") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"A number from {low} to {high}.")
    if question.kind == "scale" and not number.is_integer():
        raise ValueError(f"A whole number from {low} to {high}.")
    return number, None


def answer_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    ref, _, raw = event.value.rpartition(":")
    at = target(turn, ref)
    try:
        number, text = parse_answer(at.question, raw)
    except ValueError:
        raise UserError("That answer is not one of the options.") from None
    before = recorded(turn, at, lock=True)
    if before.answer is not None:
        return already(settled(turn, at), before.answer)
    save_answer(turn, at, number=number, text=text)
    return chosen(settled(turn, at))


def ask_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    """Answer: the form, unless this step message was answered already."""
    at = target(turn, event.value)
    before = recorded(turn, at)
    if before.answer is not None:
        return already(settled(turn, at), before.answer)
    return [Reply(form=answer_form(at.question, form_id=m.ANSWER_FORM, context=event.value))]


def answer_form(question: Question, *, form_id: str, context: str) -> Form:
    if question.kind == "choice":
        field = Field(
            "answer",
            question.prompt,
            kind="select",
            options=tuple(Option(str(i), o) for i, o in enumerate(question.options)),
        )
    else:
        field = Field(
            "answer",
            question.prompt,
            kind="number",
            hint=question.hint or f"From {question.min} to {question.max}",
        )
    return Form(
        form_id=form_id, title="Quick question", fields=(field,), submit_label="Send", context=context
    )


def build_answer_form(turn: Turn, context: str) -> Form:
    at = target(turn, context)
    before = recorded(turn, at)
    if before.answer is not None:
        raise UserError(f"Already recorded: **{escape(before.answer)}**.")
    return answer_form(at.question, form_id=m.ANSWER_FORM, context=context)


def submit_answer_form(turn: Turn, event: Submitted) -> list[Reply]:
    at = target(turn, event.context)
    try:
        number, text = parse_answer(at.question, event.values.get("answer", ""))
    except ValueError as exc:
        return [Reply(form_errors={"answer": str(exc)})]
    before = recorded(turn, at, lock=True)
    if before.answer is not None:
        return already(None, before.answer)
    save_answer(turn, at, number=number, text=text)
    message = settled(turn, at)
    if outbox.replace_sent(session=turn.session, key=at.outbox_key, message=message, now=turn.now):
        return []  # the step message itself now shows the answer
    return [Reply(message=text_message(f"Thanks, noted: **{escape(shown_value(number, text))}**. 🙏"))]


def shown_value(number: float | None, text: str | None) -> str:
    return text if text is not None else f"{number:g}"


def save_answer(turn: Turn, at: Target, *, number: float | None, text: str | None) -> None:
    if at.preview is not None:
        row = service.preview_step_to_change(
            session=turn.session, preview_id=at.preview.id or 0, step_key=at.step.key
        )
        row.answer = shown_value(number, text)
        row.answered_at = turn.now
        return
    enrolment = at.enrolment
    assert enrolment is not None and enrolment.id is not None
    service.record_answer(
        session=turn.session,
        person_id=turn.person_id,
        programme_key=at.programme.key,
        step_key=at.step.key,
        question_key=at.question.key,
        number=number,
        text=text,
        now=turn.now,
        enrolment_id=enrolment.id,
        sending=at.sending,
    )
    progress = service.progress(session=turn.session, enrolment_id=enrolment.id, step_key=at.step.key)
    progress.done_at = progress.done_at or turn.now
    due.refresh(session=turn.session, enrolment=enrolment, content=turn.content, now=turn.now)


# --- something's not working -------------------------------------------------------------------


def report_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    """'Something's not working' on a step: the friction form when it exists, else a plain offer."""
    system, _, _ref = event.value.partition(":")
    spec = turn.router.forms.get("friction.report")
    if spec is not None:
        return [Reply(form=spec.build(turn, system))]
    return [
        Reply(
            message=text_message(
                "Sorry it's not working. Tell me in a sentence what went wrong and I'll pass it on."
            ),
            ephemeral=True,
        )
    ]
