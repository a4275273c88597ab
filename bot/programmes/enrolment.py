"""Enrolment and previews outside a conversation: the CLI's import and `preview --to`."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.content import Content, Programme
from bot.people import service as people
from bot.people.models import Person
from bot.programmes import scheduled, service
from bot.programmes.messages import step_message
from bot.turn import notify


def enrol_and_plan(
    *,
    session: Session,
    person: Person,
    programme: Programme,
    content: Content,
    settings: Settings,
    now: datetime,
    by: str,
) -> bool:
    """Enrol a person and plan their steps; False when they were enrolled already."""
    assert person.id is not None
    enrolment, created = service.enrol(
        session=session,
        person_id=person.id,
        programme=programme,
        source=content.sources[programme.key],
        now=now,
        by=by,
    )
    if created:
        scheduled.plan_enrolment(
            session=session,
            enrolment=enrolment,
            programme=programme,
            person=person,
            settings=settings,
            content=content,
            now=now,
        )
        # A newcomer hears the latest change to the system they are starting on, once.
        from bot.announcements.delivery import send_latest_to  # announcements read programmes: import late

        send_latest_to(
            session=session,
            person=person,
            system=programme.system,
            now=now,
            content=content,
            settings=settings,
        )
    return created


def enrol_emails(
    *,
    session: Session,
    emails: list[str],
    programme: Programme,
    content: Content,
    settings: Settings,
    now: datetime,
    by: str,
) -> int:
    added = 0
    for email in emails:
        person = people.ensure_by_email(session=session, email=email, now=now)
        added += enrol_and_plan(
            session=session,
            person=person,
            programme=programme,
            content=content,
            settings=settings,
            now=now,
            by=by,
        )
    return added


def preview_to(
    *, session: Session, person: Person, programme: Programme, content: Content, now: datetime
) -> int:
    """Every step at once to one person, straight away (a preview bypasses the attention policy)."""
    for number, step in enumerate(programme.steps, start=1):
        message = step_message(
            content=content, programme=programme, step=step, person=person, enrolment_id=0, stage="invited"
        )
        notify(
            session=session,
            person=person,
            message=message,
            key=f"preview:{programme.key}:{person.id}:{now.isoformat()}:{number}",
            now=now,
            kind="preview",
            critical=True,
        )
    return len(programme.steps)
