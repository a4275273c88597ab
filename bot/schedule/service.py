"""Persistence for due work: add or move a job, claim what is due, finish it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Table, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from bot.schedule.models import DueState, DueWork

# A claim lasts this long unless its process renews it (the ticker does while it works through a batch), so
# due work held by a process that died goes to another within about this time, not minutes later.
LEASE = timedelta(seconds=30)
DUE_WORK: Table = DueWork.__table__  # type: ignore[attr-defined]  # Core inserts skip the ORM's per-row work


def upsert(
    *,
    session: Session,
    kind: str,
    subject: str,
    due_at: datetime,
    now: datetime,
    person_id: int | None = None,
    payload: dict[str, Any] | None = None,
    wake: bool = False,
) -> DueWork:
    """Schedule `subject` at `due_at`; an existing job for the subject is moved (and revived). With
    `wake`, work due now is run as soon as this unit of work commits, not at the next tick."""
    job = by_subject(session=session, subject=subject)
    if job is None:
        job = DueWork(
            kind=kind,
            subject=subject,
            person_id=person_id,
            payload=payload or {},
            due_at=due_at,
            created_at=now,
        )
        session.add(job)
    else:
        job.due_at = due_at
        job.state = DueState.pending
        job.claimed_until = None
        job.done_at = None
        if payload is not None:
            job.payload = payload
    session.flush()
    if wake and due_at <= now:
        session.info[DUE_NOW] = True
    return job


class NewJob(NamedTuple):
    kind: str
    subject: str
    person_id: int | None
    payload: dict[str, Any]
    due_at: datetime


def add_new(*, session: Session, jobs: Sequence[NewJob], now: datetime) -> None:
    """Insert jobs whose subjects cannot exist yet (a new enrolment's steps) in one Core statement.

    A new enrolment plans every timed step at once; `upsert` per step cost a look-up and a flush each, and
    ORM objects a validation each: together a third of a first contact's time. A subject that does exist
    raises IntegrityError, as it should."""
    if not jobs:
        return
    rows = [
        {
            "kind": job.kind,
            "subject": job.subject,
            "person_id": job.person_id,
            "payload": job.payload,
            "state": DueState.pending,
            "due_at": job.due_at,
            "created_at": now,
        }
        for job in jobs
    ]
    session.connection().execute(insert(DUE_WORK), rows)


DUE_NOW = "due_work_now"  # session.info flag: this unit of work left work due at once (wake the ticker)


def due_now_in(session: Session) -> bool:
    return bool(session.info.get(DUE_NOW))


def ensure_once(*, session: Session, kind: str, subject: str, due_at: datetime, now: datetime) -> None:
    """A recurring job that exists once, whichever process starts first (called at start-up)."""
    if by_subject(session=session, subject=subject) is not None:
        return
    try:
        with session.begin_nested():
            upsert(session=session, kind=kind, subject=subject, due_at=due_at, now=now)
    except IntegrityError:
        pass  # another process starting at the same moment created it


def next_monday(now: datetime) -> datetime:
    """08:00 UTC on the next Monday (at least a day away); delivery then waits for each reader's hours."""
    days = (7 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)


def by_subject(*, session: Session, subject: str) -> DueWork | None:
    return session.exec(select(DueWork).where(DueWork.subject == subject)).first()


def claim_due(*, session: Session, now: datetime, limit: int = 200, lease: timedelta = LEASE) -> list[int]:
    """Ids of due jobs, leased to this process until `now + lease` (a dead process's lease runs out).

    On PostgreSQL rows another process is claiming at this moment are skipped.
    """
    query = (
        select(DueWork)
        .where(
            DueWork.state == DueState.pending,
            col(DueWork.due_at) <= now,
            or_(col(DueWork.claimed_until).is_(None), col(DueWork.claimed_until) < now),
        )
        .order_by(col(DueWork.due_at), col(DueWork.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    jobs = list(session.exec(query).all())
    for job in jobs:
        job.claimed_until = now + lease
    return [job.id for job in jobs if job.id is not None]


def renew(*, session: Session, ids: Sequence[int], now: datetime, lease: timedelta = LEASE) -> None:
    """Extend this process's claim on the jobs in `ids` it has not run yet (still pending and claimed)."""
    if ids:
        session.execute(
            update(DueWork)
            .where(
                col(DueWork.id).in_(list(ids)),
                col(DueWork.state) == DueState.pending,
                col(DueWork.claimed_until).is_not(None),
            )
            .values(claimed_until=now + lease)
        )


def locked(*, session: Session, job_id: int) -> DueWork | None:
    """The job, locked until this unit of work ends on PostgreSQL: a job whose claim ran out while its
    process was slow, and was claimed again, is never run by two processes at once (the second waits and
    finds it done)."""
    query = select(DueWork).where(DueWork.id == job_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.exec(query).first()


def finish(*, job: DueWork, now: datetime, note: str | None = None) -> None:
    job.state = DueState.done
    job.done_at = now
    job.note = note


def cancel(*, session: Session, subject_prefix: str) -> None:
    session.execute(
        update(DueWork)
        .where(
            col(DueWork.subject).startswith(subject_prefix, autoescape=True),
            col(DueWork.state) == DueState.pending,
        )
        .values(state=DueState.cancelled)
    )


def pending_for(*, session: Session, person_id: int, kind: str | None = None) -> Sequence[DueWork]:
    query = select(DueWork).where(DueWork.person_id == person_id, DueWork.state == DueState.pending)
    if kind:
        query = query.where(DueWork.kind == kind)
    return session.exec(query.order_by(col(DueWork.due_at))).all()


def subjects_with_prefix(*, session: Session, prefix: str) -> set[str]:
    """Every subject (in any state) that starts with `prefix`, e.g. all jobs of one enrolment."""
    return set(
        session.exec(
            select(DueWork.subject).where(col(DueWork.subject).startswith(prefix, autoescape=True))
        ).all()
    )
