"""Housekeeping the clock runs for the audit package: forget old processed-event keys daily.

Platform retries come within minutes (Slack's last one after 5), so keys older than two days only
grow the table; pruning them keeps the de-duplication insert fast over a year of traffic.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.audit import service
from bot.config import Settings
from bot.content import Content
from bot.schedule import service as schedule
from bot.schedule.models import DueWork
from bot.schedule.ticker import Handler

PRUNE = "audit.prune_processed"
EVERY = timedelta(days=1)


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    return {PRUNE: prune}


def prune(session: Session, job: DueWork, now: datetime) -> None:
    service.forget_processed_before(session=session, before=now - service.RETENTION)
    job.due_at = now + EVERY


def ensure_scheduled(*, session: Session, now: datetime) -> None:
    """Called at start-up: the daily job exists once."""
    schedule.ensure_once(session=session, kind=PRUNE, subject=PRUNE, due_at=now + EVERY, now=now)
