"""The weekly ownership check's due work: created once (an admin's first contact, `readiness`, a flag),
then it re-schedules itself; `bot.readiness.hooks` runs it.

It lives here, below both, so that escalations can start it without importing readiness (which reads
escalations)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.schedule import service as schedule

WEEKLY = "readiness.weekly_gaps"  # due work kind and subject: stored, so they keep their names
WEEKLY_SUBJECT = "readiness:weekly"


def ensure(*, session: Session, now: datetime) -> None:
    """Create the weekly gap check once; it then re-schedules itself."""
    if schedule.by_subject(session=session, subject=WEEKLY_SUBJECT) is None:
        schedule.upsert(
            session=session, kind=WEEKLY, subject=WEEKLY_SUBJECT, due_at=schedule.next_monday(now), now=now
        )
