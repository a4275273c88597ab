"""What recipients do with an announcement: "Got it", "I have a question", and the communicator's answer."""

from __future__ import annotations

from bot.announcements import delivery, questions, service
from bot.announcements import messages as m
from bot.announcements.models import (
    Announcement,
    AnnouncementQuestion,
    AnnouncementRecipient,
    AnnouncementState,
)
from bot.choices import already, by_action, chosen, settle
from bot.events import Clicked, Submitted
from bot.inbound import row_id
from bot.markdown import escape
from bot.messages import Field, Form, Message, Reply, load_message, text_message
from bot.outbox import service as outbox
from bot.routing import FormSpec, Router
from bot.turn import Turn, UserError
from bot.wording import excerpt


def register(router: Router) -> None:
    router.form(FormSpec(m.QUESTION_FORM, build_question, submit_question))
    router.form(FormSpec(m.ANSWER_FORM, build_answer, submit_answer))
    router.action(m.ACK, ack_clicked)


def _announcement(turn: Turn, raw: str) -> Announcement:
    wanted = row_id(raw)
    found = service.get(session=turn.session, announcement_id=wanted) if wanted else None
    if found is None or found.state == AnnouncementState.draft:
        raise UserError(GONE)
    return found


GONE = "That announcement no longer exists."
QUESTION_MAX = 2000  # a reader's question about a change
ANSWER_MAX = 3000  # the change communicator's answer (a Slack modal's text input holds 3,000)


def _received(turn: Turn, raw: str) -> tuple[Announcement, AnnouncementRecipient]:
    """An announcement the person received (its recipient row), or refused as if it did not exist:
    someone it did not go to learns nothing about it, not even its title. A channel announcement
    reaches whoever clicks it in its channel; they become a recipient then."""
    announcement = _announcement(turn, raw)
    assert announcement.id is not None
    row = service.recipient(session=turn.session, announcement_id=announcement.id, person_id=turn.person_id)
    if row is not None:
        return announcement, row
    place = turn.event.place
    in_its_channel = (
        announcement.audience_kind == "channel"
        and not place.is_direct
        and place.channel_id == announcement.audience_param
    )
    if not in_its_channel:
        raise UserError(GONE)
    return announcement, service.join(
        session=turn.session, announcement=announcement, person_id=turn.person_id
    )


def ack_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    announcement, row = _received(turn, event.value)
    turn.session.refresh(row, with_for_update=True)  # a double click is decided once (PostgreSQL)
    settled = _acknowledged(turn, announcement, row) if event.place.is_direct else None
    if row.acknowledged_at is not None:
        return already(settled, "Got it")
    service.acknowledge(
        session=turn.session, announcement=announcement, person_id=turn.person_id, now=turn.now
    )
    if settled is not None:
        return chosen(settled)
    # A post in a channel is everyone's: it keeps its buttons, and the thanks is for the clicker only.
    return [Reply(message=text_message(_thanks(turn)), ephemeral=True)]


def _thanks(turn: Turn) -> str:
    return f"Thanks, {escape(turn.person.first_name)}: noted that you've read it."


def _acknowledged(turn: Turn, announcement: Announcement, row: AnnouncementRecipient) -> Message:
    """The announcement as the person got it, with "Got it" turned into the thanks."""
    sent = outbox.by_key(session=turn.session, key=row.outbox_key)
    if sent is not None:
        source = load_message(sent.payload)
    else:
        source = delivery.message_for(content=turn.content, announcement=announcement, person=turn.person)
    return settle(source, note=_thanks(turn), is_choice=by_action(m.ACK))


def build_question(turn: Turn, context: str) -> Form:
    announcement, _row = _received(turn, context)
    return Form(
        form_id=m.QUESTION_FORM,
        title="Ask about this change",
        intro=f"Your question goes to the person who communicates changes for **{escape(announcement.title)}**.",
        fields=(Field("question", "Your question", kind="multiline", max_length=QUESTION_MAX),),
        submit_label="Send",
        context=context,
    )


def submit_question(turn: Turn, event: Submitted) -> list[Reply]:
    announcement, _row = _received(turn, event.context)
    text = (event.values.get("question") or "").strip()
    if not text:
        return [Reply(form_errors={"question": "Write your question."})]
    if len(text) > QUESTION_MAX:  # checked where it arrives, whatever the form let through
        return [Reply(form_errors={"question": too_long(text, QUESTION_MAX)})]
    settings = turn.settings
    questions.ask(
        session=turn.session,
        announcement=announcement,
        person=turn.person,
        text=text,
        now=turn.now,
        content=turn.content,
        settings=settings,
    )
    return [
        Reply(
            message=text_message(
                "Thanks: your question is with the change communicator; I'll bring you their answer."
            ),
            ephemeral=True,
        )
    ]


def too_long(text: str, limit: int) -> str:
    return f"Up to {limit:,} characters, please (this is {len(text):,}); nothing was sent."


def _question(turn: Turn, raw: str) -> tuple[AnnouncementQuestion, Announcement]:
    wanted = row_id(raw)
    question = turn.session.get(AnnouncementQuestion, wanted) if wanted else None
    announcement = (
        service.get(session=turn.session, announcement_id=question.announcement_id) if question else None
    )
    if question is None or announcement is None:
        raise UserError("That question no longer exists.")
    if not questions.may_answer(
        session=turn.session,
        content=turn.content,
        person=turn.person,
        announcement=announcement,
        now=turn.now,
    ):
        raise UserError("Only the system's change communicator, a backup or an admin can answer this.")
    return question, announcement


def build_answer(turn: Turn, context: str) -> Form:
    question, _ = _question(turn, context)
    return Form(
        form_id=m.ANSWER_FORM,
        title="Answer the question",
        intro=f"They asked: {escape(excerpt(question.text, 500))} (the notice quotes all of it)"
        if len(question.text) > 500
        else f"They asked: {escape(question.text)}",
        fields=(Field("answer", "Your answer", kind="multiline", max_length=ANSWER_MAX),),
        submit_label="Send answer",
        context=context,
    )


def submit_answer(turn: Turn, event: Submitted) -> list[Reply]:
    question, announcement = _question(turn, event.context)
    text = (event.values.get("answer") or "").strip()
    if not text:
        return [Reply(form_errors={"answer": "Write your answer."})]
    if len(text) > ANSWER_MAX:
        return [Reply(form_errors={"answer": too_long(text, ANSWER_MAX)})]
    if question.answered_at is not None:
        raise UserError("Someone has answered this question already.")
    questions.answer(
        session=turn.session,
        question=question,
        announcement=announcement,
        by=turn.person,
        text=text,
        now=turn.now,
        content=turn.content,
        settings=turn.settings,
    )
    return [Reply(message=text_message("Sent: I've passed your answer on."), ephemeral=True)]
