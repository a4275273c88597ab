"""Enrolment and previews, shared by the chat commands and the CLI (`programme enrol`, `preview --to`)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.attention import ASKED_FOR, notify
from bot.config import Settings
from bot.content import Content, Programme
from bot.markdown import escape
from bot.messages import text_message
from bot.people import service as people
from bot.people.models import Person
from bot.programmes import due, service
from bot.programmes.messages import PREVIEW, preview_key, step_message


def enrol_and_plan(
    *,
    session: Session,
    person: Person,
    programme: Programme,
    content: Content,
    settings: Settings,
    now: datetime,
    by: str,
    new_person: bool = False,
) -> bool:
    """Enrol a person and plan their steps; False when they were enrolled already (`new_person`: created in
    this unit of work, enrolled nowhere yet)."""
    assert person.id is not None
    enrolment, created = service.enrol(
        session=session,
        person_id=person.id,
        programme=programme,
        source=content.sources[programme.key],
        now=now,
        by=by,
        new_person=new_person,
    )
    if created:
        due.plan_enrolment(
            session=session,
            enrolment=enrolment,
            programme=programme,
            person=person,
            settings=settings,
            content=content,
            now=now,
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
    """Every step at once to one person, straight away (a preview bypasses the attention policy).

    What they click on it is kept with the preview, apart from any enrolment of theirs.
    """
    assert person.id is not None
    preview = service.start_preview(
        session=session,
        person_id=person.id,
        programme=programme,
        source=content.sources[programme.key],
        now=now,
    )
    assert preview.id is not None
    header = text_message(
        f"**Preview of {escape(programme.name)}** ({len(programme.steps)} steps, version "
        f"`{programme.version}`): every step at once, as people get them over the weeks. Try the "
        "buttons: what you choose is kept with this preview, apart from your own programme."
    )
    notify(
        session=session,
        person=person,
        message=header,
        key=f"preview:{preview.id}:header",
        now=now,
        kind=ASKED_FOR[0],
        critical=True,
    )
    for step in programme.steps:
        message = step_message(
            content=content,
            programme=programme,
            step=step,
            person=person,
            owner=f"{PREVIEW}{preview.id}",
            sending=1,
            stage="invited",
        )
        notify(
            session=session,
            person=person,
            message=message,
            key=preview_key(preview.id, step.key),
            now=now,
            kind=ASKED_FOR[0],
            critical=True,
        )
    return len(programme.steps)
