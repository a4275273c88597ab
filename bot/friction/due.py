"""The per-owner digest of friction reports that did not block anyone: when it is due, and sending it.

One due-work job per owner (subject `friction.digest:person:ID`), planned when a report arrives for
them and none is pending; it goes at 09:00 in the owner's time zone on the next working day (daily)
or next Monday (weekly), and then through the attention policy as a reminder (operational: it is not
silenced by `stop`, yet counts against the owner's weekly budget like any other reminder).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot import attention
from bot.config import Settings
from bot.content import Content
from bot.friction import messages as m
from bot.friction import service
from bot.friction.models import Cadence, FrictionReport
from bot.friction.themes import Item, themes
from bot.people.models import Person
from bot.policy.model import Kind, resolve_timezone
from bot.schedule import service as schedule
from bot.schedule.models import DueState, DueWork

log = logging.getLogger(__name__)

DIGEST = "friction.digest"
DIGEST_HOUR = time(9)
PERIOD = {Cadence.daily: "daily", Cadence.weekly: "weekly"}


def digest_subject(person_id: int) -> str:
    return f"{DIGEST}:person:{person_id}"


def next_digest_at(now: datetime, *, timezone: str, cadence: Cadence) -> datetime:
    """09:00 local on the next working day (daily) or the next Monday (weekly), strictly after `now`."""
    zone = ZoneInfo(timezone)
    day = now.astimezone(zone).date()
    while True:
        day += timedelta(days=1)
        if cadence == Cadence.weekly and day.weekday() != 0:
            continue
        if day.weekday() < 5:
            return datetime.combine(day, DIGEST_HOUR, tzinfo=zone)


def plan_digest(
    *, session: Session, owner: Person, settings: Settings, now: datetime, replan: bool = False
) -> DueWork:
    """Make sure the owner has a digest coming; `replan` moves a pending one (the cadence changed)."""
    assert owner.id is not None
    subject = digest_subject(owner.id)
    job = schedule.by_subject(session=session, subject=subject)
    if job is not None and job.state == DueState.pending and not replan:
        return job
    cadence = service.cadence(session=session, person_id=owner.id)
    timezone = resolve_timezone(owner.effective_timezone, default=settings.default_timezone)
    return schedule.upsert(
        session=session,
        kind=DIGEST,
        subject=subject,
        due_at=next_digest_at(now, timezone=timezone, cadence=cadence),
        now=now,
        person_id=owner.id,
    )


def item(report: FrictionReport) -> Item:
    return Item(
        category=report.category,
        system=report.system_key,
        created_at=report.created_at,
        text=f"{report.trying_to}\n{report.details}",
    )


def run_digest(
    *, session: Session, job: DueWork, now: datetime, content: Content, settings: Settings
) -> None:
    owner = session.get(Person, job.person_id) if job.person_id else None
    if owner is None or owner.id is None:
        return
    reports = list(service.awaiting_digest(session=session, owner_id=owner.id))
    if not reports:
        return
    cadence = service.cadence(session=session, person_id=owner.id)
    since = now - (timedelta(days=7) if cadence == Cadence.weekly else timedelta(days=1))
    urgent = len(
        session.exec(
            select(FrictionReport.id).where(
                FrictionReport.owner_id == owner.id,
                col(FrictionReport.urgent).is_(True),
                col(FrictionReport.created_at) >= since,
            )
        ).all()
    )
    message = m.digest_message(
        content=content,
        owner=owner,
        period=PERIOD[cadence],
        reports=reports,
        urgent=urgent,
        found=themes([item(r) for r in reports]),
    )
    attention.of(session=session, settings=settings, content=content, now=now).deliver(
        owner, message, key=f"{DIGEST}:person:{owner.id}:{now.isoformat()}", kind=Kind.reminder
    )
    for report in reports:
        report.routed_at = now
    log.info("friction digest for person %s: %s report(s)", owner.id, len(reports))
