"""Past answers: `programme` lists them, each with Change, which asks the question again. The new
answer takes the old one's place (the week it answers for stays the same), and the step message it
answered shows the new one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.choices import already, by_action, chosen, settle
from bot.content import Programme, Question
from bot.events import Clicked, Submitted
from bot.inbound import row_id
from bot.markdown import escape
from bot.messages import Actions, Block, Button, Context, Form, Message, Reply, Text, text_message
from bot.outbox import service as outbox
from bot.programmes import messages as m
from bot.programmes import service, steps
from bot.programmes.models import Enrolment, PulseAnswer
from bot.routing import FormSpec, Router
from bot.turn import Turn, UserError

SHOWN = 5  # answers listed by `programme`; each has a Change button


def register(router: Router) -> None:
    router.action(m.CHANGE, change_clicked)
    router.action(m.REANSWER, reanswer_clicked)
    router.form(FormSpec(m.CHANGE_FORM, build_change_form, submit_change_form))


def listing(turn: Turn, programme: Programme) -> list[Block]:
    """The person's latest answers in `programme`, each with a Change button."""
    rows = service.answers_of(
        session=turn.session, person_id=turn.person_id, programme_key=programme.key, limit=SHOWN
    )
    blocks: list[Block] = []
    asked = [row.question_key for row in rows]
    for row in rows:
        question = _question(programme, row)
        prompt = question.prompt if question is not None else row.question_key
        asked_at = _asked_at(turn, row)
        day = f"{asked_at:%a} {asked_at.day} {asked_at:%b}"
        blocks.append(Text(f"{escape(prompt)} **{escape(steps.shown(row) or '')}** (asked {day})"))
        if question is not None:
            label = f"Change: {prompt if len(prompt) <= 30 else prompt[:29] + '…'}"
            if asked.count(row.question_key) > 1:  # a repeated question: which week's answer
                label += f" ({day})"
            blocks.append(Actions((Button(m.CHANGE, label, value=str(row.id)),)))
    if blocks:
        blocks.insert(0, Text("**Your answers**"))
    return blocks


def _asked_at(turn: Turn, row: PulseAnswer) -> datetime:
    """When the question this answers was sent (a repeated question's answers differ by this)."""
    if row.enrolment_id is not None and row.sending is not None:
        key = f"programme:{row.enrolment_id}:{row.step_key}:{row.sending}"
        sent = outbox.by_key(session=turn.session, key=key)
        if sent is not None:
            return sent.sent_at or sent.created_at
    return row.at


def _question(programme: Programme, row: PulseAnswer) -> Question | None:
    step = next((s for s in programme.steps if s.key == row.step_key), None)
    question = step.question if step is not None else None
    return question if question is not None and question.key == row.question_key else None


def _own_answer(turn: Turn, raw: str, *, lock: bool = False) -> tuple[PulseAnswer, Programme, Question]:
    query = select(PulseAnswer).where(PulseAnswer.id == (row_id(raw) or -1))
    if lock:  # two changes at one moment are made one after the other
        query = query.with_for_update().execution_options(populate_existing=True)
    row = turn.session.exec(query).first()
    if row is None or row.person_id != turn.person_id:
        raise UserError("That answer is not yours to change.")
    enrolment = turn.session.exec(
        select(Enrolment).where(
            Enrolment.person_id == row.person_id, Enrolment.programme_key == row.programme_key
        )
    ).first()
    if enrolment is None:
        raise UserError("That programme is over: its answers can no longer be changed.")
    programme = service.programme_for(session=turn.session, content=turn.content, enrolment=enrolment)
    question = _question(programme, row)
    if question is None:
        raise UserError("That question is no longer in the programme.")
    return row, programme, question


def change_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    row, _programme, question = _own_answer(turn, event.value)
    if m.question_buttons(question, m.REANSWER, str(row.id))[0].action_id != m.REANSWER:
        return [Reply(form=steps.answer_form(question, form_id=m.CHANGE_FORM, context=str(row.id)))]
    return [Reply(message=_asked_again(question, row))]


def _asked_again(question: Question, row: PulseAnswer) -> Message:
    return Message(
        summary=question.prompt[:150],
        blocks=(
            Text(f"**{escape(question.prompt)}**"),
            Actions(m.question_buttons(question, m.REANSWER, str(row.id))),
            Context("Your new answer replaces the one you gave."),
        ),
    )


def _settled(question: Question, row: PulseAnswer) -> Message:
    return settle(
        _asked_again(question, row),
        note=f"Your answer is now **{escape(steps.shown(row) or '')}**.",
        is_choice=by_action(m.REANSWER),
    )


def reanswer_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    raw_id, _, raw = event.value.partition(":")
    row, programme, question = _own_answer(turn, raw_id, lock=True)
    try:
        number, text = steps.parse_answer(question, raw)
    except ValueError:
        raise UserError("That answer is not one of the options.") from None
    if (row.number, row.text) == (number, text):
        return already(_settled(question, row), steps.shown(row) or "")
    _change(turn, row, programme, number=number, text=text)
    return chosen(_settled(question, row))


def build_change_form(turn: Turn, context: str) -> Form:
    _row, _programme, question = _own_answer(turn, context)
    return steps.answer_form(question, form_id=m.CHANGE_FORM, context=context)


def submit_change_form(turn: Turn, event: Submitted) -> list[Reply]:
    row, programme, question = _own_answer(turn, event.context, lock=True)
    try:
        number, text = steps.parse_answer(question, event.values.get("answer", ""))
    except ValueError as exc:
        return [Reply(form_errors={"answer": str(exc)})]
    _change(turn, row, programme, number=number, text=text)
    return [Reply(message=text_message(f"Changed: your answer is now **{escape(steps.shown(row) or '')}**."))]


def _change(
    turn: Turn, row: PulseAnswer, programme: Programme, *, number: float | None, text: str | None
) -> None:
    row.number, row.text, row.changed_at = number, text, turn.now
    turn.session.flush()
    if row.enrolment_id is None or row.sending is None:
        return  # an answer from before step messages were kept: there is no message to update
    enrolment = turn.session.get(Enrolment, row.enrolment_id)
    step = next(s for s in programme.steps if s.key == row.step_key)
    at = steps.Target(programme, step, row.sending, enrolment=enrolment)
    outbox.replace_sent(
        session=turn.session, key=at.outbox_key, message=steps.settled(turn, at), now=turn.now
    )
