"""'I have a question': sent to the system's change communicator as a DM with its own SLA.

The SLA is the system's `acknowledge_hours`, counted in the communicator's working hours. When it
runs out unanswered, the communicator and the role's backups get a reminder (once per SLA period,
at most three times). Without a system, the question goes to the author, else to the admins.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import attention
from bot.announcements import messages as m
from bot.announcements import service
from bot.announcements.models import Announcement, AnnouncementQuestion
from bot.config import Settings
from bot.content import Content
from bot.ownership import service as ownership
from bot.people import service as people
from bot.people.models import Person
from bot.policy.calendar import add_working_hours
from bot.policy.model import Kind
from bot.schedule import service as schedule

ROLE = "change_communicator"
DEFAULT_SLA_HOURS = 8.0
MAX_REMINDERS = 3


def sla_subject(question_id: int) -> str:
    return f"announcement-question:{question_id}:sla"


def answerers(
    *, session: Session, content: Content, announcement: Announcement, now: datetime
) -> list[Person]:
    """Who answers: the communicator (then backups), else the author, else the admins."""
    if announcement.system_key:
        holder = ownership.holder(session=session, system=announcement.system_key, role=ROLE)
        backups = ownership.backups(
            session=session, content=content, system=announcement.system_key, role=ROLE, now=now
        )
        found = ([holder] if holder else []) + [b for b in backups if holder is None or b.id != holder.id]
        if found:
            return found
    if announcement.author_id is not None:
        author = session.get(Person, announcement.author_id)
        if author is not None:
            return [author]
    return list(people.admins(session=session))


def sla_hours(*, content: Content, announcement: Announcement) -> float:
    system = content.systems.get(announcement.system_key or "")
    return float(system.sla.acknowledge_hours) if system else DEFAULT_SLA_HOURS


def ask(
    *,
    session: Session,
    announcement: Announcement,
    person: Person,
    text: str,
    now: datetime,
    content: Content,
    settings: Settings,
) -> AnnouncementQuestion:
    assert announcement.id is not None
    targets = answerers(session=session, content=content, announcement=announcement, now=now)
    communicator = targets[0] if targets else None
    hours = sla_hours(content=content, announcement=announcement)
    due_at = None
    if communicator is not None:
        state = attention.of(session=session, settings=settings, content=content, now=now).state(communicator)
        due_at = add_working_hours(now, hours, state)
    question = AnnouncementQuestion(
        announcement_id=announcement.id,
        person_id=person.id or 0,
        text=text,
        communicator_id=communicator.id if communicator else None,
        asked_at=now,
        due_at=due_at,
    )
    session.add(question)
    session.flush()
    assert question.id is not None
    if communicator is not None:
        _notify(
            session=session,
            to=communicator,
            announcement=announcement,
            question=question,
            asker=person.display_name or person.first_name,
            due=f"{hours:g} working hours",
            key=f"announcement-question:{question.id}:to:{communicator.id}",
            now=now,
            content=content,
            settings=settings,
        )
    if due_at is not None:
        schedule.upsert(
            session=session,
            kind=service.QUESTION_SLA,
            subject=sla_subject(question.id),
            due_at=due_at,
            now=now,
            payload={"id": question.id},
        )
    service.touch_status(session=session, announcement=announcement, now=now)
    return question


def _notify(
    *,
    session: Session,
    to: Person,
    announcement: Announcement,
    question: AnnouncementQuestion,
    asker: str,
    due: str,
    key: str,
    now: datetime,
    content: Content,
    settings: Settings,
) -> None:
    message = m.question_notice(
        content=content, announcement=announcement, question=question, asker=asker, due=due
    )
    attention.of(session=session, settings=settings, content=content, now=now).deliver(
        to, message, key=key, kind=Kind.escalation_notice
    )


def check_sla(
    *, session: Session, question_id: int, now: datetime, content: Content, settings: Settings
) -> datetime | None:
    """Remind the communicator and backups of an unanswered question; when to check again."""
    question = session.get(AnnouncementQuestion, question_id)
    if question is None or question.answered_at is not None or question.reminded >= MAX_REMINDERS:
        return None
    announcement = service.get(session=session, announcement_id=question.announcement_id)
    asker = session.get(Person, question.person_id)
    if announcement is None or asker is None:
        return None
    question.reminded += 1
    targets = answerers(session=session, content=content, announcement=announcement, now=now)
    for person in targets:
        _notify(
            session=session,
            to=person,
            announcement=announcement,
            question=question,
            asker=asker.display_name or asker.first_name,
            due="now: it is past its SLA",
            key=f"announcement-question:{question_id}:reminder:{question.reminded}:{person.id}",
            now=now,
            content=content,
            settings=settings,
        )
    if not targets or question.reminded >= MAX_REMINDERS:
        return None
    state = attention.of(session=session, settings=settings, content=content, now=now).state(targets[0])
    return add_working_hours(now, sla_hours(content=content, announcement=announcement), state)


def may_answer(
    *, session: Session, content: Content, person: Person, announcement: Announcement, now: datetime
) -> bool:
    if person.is_admin or person.id == announcement.author_id:
        return True
    return any(
        p.id == person.id
        for p in answerers(session=session, content=content, announcement=announcement, now=now)
    )


def answer(
    *,
    session: Session,
    question: AnnouncementQuestion,
    announcement: Announcement,
    by: Person,
    text: str,
    now: datetime,
    content: Content,
    settings: Settings,
) -> None:
    """Record the answer and send it to the person who asked (an answer skips the shared budget)."""
    question.answer = text
    question.answered_at = now
    schedule.cancel(session=session, subject_prefix=sla_subject(question.id or 0))
    asker = session.get(Person, question.person_id)
    if asker is None:
        return
    attention.of(session=session, settings=settings, content=content, now=now).deliver(
        asker,
        m.answer(announcement=announcement, question=question, by=by.display_name or by.first_name),
        key=f"announcement-question:{question.id}:answer",
        kind=Kind.answer,
    )
