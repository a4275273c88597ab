"""The buttons on every programme step: done, answers to its question, "something's not working"."""

from __future__ import annotations

from bot.content import Programme
from bot.events import Clicked, Submitted
from bot.markdown import escape
from bot.messages import Field, Form, Option, Reply, text_message
from bot.programmes import messages as m
from bot.programmes import scheduled, service
from bot.programmes.models import Enrolment
from bot.routing import FormSpec, Router
from bot.turn import Turn, UserError


def register(router: Router) -> None:
    router.action(m.DONE, done_clicked)
    router.action(m.ANSWER, answer_clicked)
    router.action(m.REPORT, report_clicked)
    router.form(FormSpec(m.ANSWER_FORM, build_answer_form, submit_answer_form))


def _own_step(turn: Turn, ref: str) -> tuple[Enrolment, Programme, str]:
    enrolment_id, _, step_key = ref.partition(":")
    enrolment = turn.session.get(Enrolment, int(enrolment_id)) if enrolment_id.isdigit() else None
    if enrolment is None or enrolment.person_id != turn.person_id:
        raise UserError("That button belongs to someone else's programme.")
    programme = service.programme_for(session=turn.session, content=turn.content, enrolment=enrolment)
    if not any(s.key == step_key for s in programme.steps):
        raise UserError("That step is no longer in the programme.")
    return enrolment, programme, step_key


def done_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    enrolment, _programme, step_key = _own_step(turn, event.value)
    progress = service.progress(session=turn.session, enrolment_id=enrolment.id or 0, step_key=step_key)
    if progress.done_at is None:
        progress.done_at = turn.now
        scheduled.refresh(session=turn.session, enrolment=enrolment, content=turn.content, now=turn.now)
    return [Reply(message=text_message("Nice one, marked as done. ✅"), ephemeral=True)]


def answer_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    ref, _, raw = event.value.rpartition(":")
    enrolment, programme, step_key = _own_step(turn, ref)
    question = next(s.question for s in programme.steps if s.key == step_key)
    if question is None:
        raise UserError("That step has no question.")
    if question.kind == "choice":
        if not raw.isdigit() or int(raw) >= len(question.options):
            raise UserError("That answer is not one of the options.")
        return _save_answer(
            turn, enrolment, programme, step_key, number=None, text=question.options[int(raw)]
        )
    return _save_answer(turn, enrolment, programme, step_key, number=float(raw), text=None)


def build_answer_form(turn: Turn, context: str) -> Form:
    _enrolment, programme, step_key = _own_step(turn, context)
    question = next(s.question for s in programme.steps if s.key == step_key)
    if question is None:
        raise UserError("That step has no question.")
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
        form_id=m.ANSWER_FORM, title="Quick question", fields=(field,), submit_label="Send", context=context
    )


def submit_answer_form(turn: Turn, event: Submitted) -> list[Reply]:
    enrolment, programme, step_key = _own_step(turn, event.context)
    question = next(s.question for s in programme.steps if s.key == step_key)
    assert question is not None
    raw = event.values.get("answer", "").strip()
    if question.kind == "choice":
        if not raw.isdigit() or int(raw) >= len(question.options):
            return [Reply(form_errors={"answer": "Pick one of the options."})]
        return _save_answer(
            turn, enrolment, programme, step_key, number=None, text=question.options[int(raw)]
        )
    try:
        number = float(raw)
    except ValueError:
        return [Reply(form_errors={"answer": "A number, please."})]
    if question.min is not None and question.max is not None and not question.min <= number <= question.max:
        return [Reply(form_errors={"answer": f"A number from {question.min} to {question.max}."})]
    return _save_answer(turn, enrolment, programme, step_key, number=number, text=None)


def _save_answer(
    turn: Turn,
    enrolment: Enrolment,
    programme: Programme,
    step_key: str,
    *,
    number: float | None,
    text: str | None,
) -> list[Reply]:
    question = next(s.question for s in programme.steps if s.key == step_key)
    assert question is not None
    service.record_answer(
        session=turn.session,
        person_id=turn.person_id,
        programme_key=programme.key,
        step_key=step_key,
        question_key=question.key,
        number=number,
        text=text,
        now=turn.now,
    )
    progress = service.progress(session=turn.session, enrolment_id=enrolment.id or 0, step_key=step_key)
    progress.done_at = progress.done_at or turn.now
    scheduled.refresh(session=turn.session, enrolment=enrolment, content=turn.content, now=turn.now)
    shown = text if text is not None else f"{number:g}"
    return [Reply(message=text_message(f"Thanks, noted: **{escape(shown)}**. 🙏"), ephemeral=True)]


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
