"""What recipients do with an announcement: "Got it", "I have a question", and the communicator's answer."""

from __future__ import annotations

from bot.announcements import messages as m
from bot.announcements import questions, service
from bot.announcements.models import Announcement, AnnouncementQuestion, AnnouncementState
from bot.events import Clicked, Submitted
from bot.markdown import escape
from bot.messages import Field, Form, Reply, text_message
from bot.routing import FormSpec, Router
from bot.turn import Turn, UserError


def register(router: Router) -> None:
    router.form(FormSpec(m.QUESTION_FORM, build_question, submit_question))
    router.form(FormSpec(m.ANSWER_FORM, build_answer, submit_answer))
    router.action(m.ACK, ack_clicked)


def _announcement(turn: Turn, raw: str) -> Announcement:
    try:
        found = service.get(session=turn.session, announcement_id=int(raw))
    except ValueError:
        found = None
    if found is None or found.state == AnnouncementState.draft:
        raise UserError("That announcement no longer exists.")
    return found


def ack_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    announcement = _announcement(turn, event.value)
    service.acknowledge(
        session=turn.session, announcement=announcement, person_id=turn.person_id, now=turn.now
    )
    return [
        Reply(
            message=text_message(f"Thanks, {escape(turn.person.first_name)}: noted that you've read it."),
            ephemeral=True,
        )
    ]


def build_question(turn: Turn, context: str) -> Form:
    announcement = _announcement(turn, context)
    return Form(
        form_id=m.QUESTION_FORM,
        title="Ask about this change",
        intro=f"Your question goes to the person who communicates changes for **{escape(announcement.title)}**.",
        fields=(Field("question", "Your question", kind="multiline", max_length=2000),),
        submit_label="Send",
        context=context,
    )


def submit_question(turn: Turn, event: Submitted) -> list[Reply]:
    announcement = _announcement(turn, event.context)
    text = (event.values.get("question") or "").strip()
    if not text:
        return [Reply(form_errors={"question": "Write your question."})]
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


def _question(turn: Turn, raw: str) -> tuple[AnnouncementQuestion, Announcement]:
    try:
        question = turn.session.get(AnnouncementQuestion, int(raw))
    except ValueError:
        question = None
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
        intro=f"They asked: {escape(question.text[:500])}",
        fields=(Field("answer", "Your answer", kind="multiline", max_length=3000),),
        submit_label="Send answer",
        context=context,
    )


def submit_answer(turn: Turn, event: Submitted) -> list[Reply]:
    question, announcement = _question(turn, event.context)
    text = (event.values.get("answer") or "").strip()
    if not text:
        return [Reply(form_errors={"answer": "Write your answer."})]
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
