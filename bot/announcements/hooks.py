"""The due-work handlers announcements register: chunked fan-out, the author's status, question SLAs,
and the latest change a newcomer hears (planned by programmes with their steps)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.announcements import delivery, questions, service
from bot.config import Settings
from bot.content import Content
from bot.outbox.dispatcher import AfterSent
from bot.outbox.models import OutboxMessage
from bot.people.models import Person
from bot.programmes import due as programmes_due
from bot.schedule.models import DueWork
from bot.schedule.service import finish
from bot.schedule.ticker import Handler


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    def fan_out(session: Session, job: DueWork, now: datetime) -> None:
        delivery.fan_out(
            session=session,
            announcement_id=int(job.payload["id"]),
            n=int(job.payload.get("n", 0)),
            now=now,
            content=content,
            settings=settings,
        )

    def status(session: Session, job: DueWork, now: datetime) -> None:
        announcement = service.get(session=session, announcement_id=int(job.payload["id"]))
        again = None
        if announcement is not None:
            again = delivery.send_status(
                session=session, announcement=announcement, now=now, quota_scale=settings.quota_scale
            )
        _again_or_finish(job, again, now)

    def question_sla(session: Session, job: DueWork, now: datetime) -> None:
        again = questions.check_sla(
            session=session, question_id=int(job.payload["id"]), now=now, content=content, settings=settings
        )
        _again_or_finish(job, again, now)

    def latest_change(session: Session, job: DueWork, now: datetime) -> None:
        person = session.get(Person, job.payload.get("person"))
        if person is not None:
            delivery.send_latest_to(
                session=session,
                person=person,
                system=str(job.payload["system"]),
                now=now,
                content=content,
                settings=settings,
                enrolled_at=job.created_at,
            )
        finish(job=job, now=now)

    return {
        service.FANOUT: fan_out,
        service.STATUS: status,
        service.QUESTION_SLA: question_sla,
        programmes_due.LATEST_CHANGE: latest_change,
    }


def after_sent(*, content: Content, settings: Settings) -> dict[str, AfterSent]:
    return {service.SENT_HOOK: recipient_sent}


def recipient_sent(session: Session, row: OutboxMessage, argument: str) -> None:
    """A late copy went out (its recipient came back, or their working hours came): refresh the status."""
    announcement = service.get(session=session, announcement_id=int(argument)) if argument.isdigit() else None
    if announcement is not None:
        service.touch_status(session=session, announcement=announcement, now=row.sent_at or row.created_at)


def _again_or_finish(job: DueWork, again: datetime | None, now: datetime) -> None:
    if again is not None and again > now:
        job.due_at = again
    else:
        finish(job=job, now=now)
