"""The daily retention job: roll up finished weeks, then erase what is older than its period."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.content import Content
from bot.privacy import retention
from bot.schedule import service as schedule
from bot.schedule.models import DueWork
from bot.schedule.ticker import Handler
from bot.usage import days

log = logging.getLogger(__name__)
RETENTION = "privacy.retention"
EVERY = timedelta(days=1)


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    keep = retention.Retention.of(settings)

    def run(session: Session, job: DueWork, now: datetime) -> None:
        days.catch_up(session=session, systems=list(content.systems), now=now)  # yesterday's usage
        rolled = retention.roll_up(
            session=session, content=content, now=now, min_group=settings.min_group_size
        )
        erased = retention.purge(session=session, now=now, retention=keep)
        if rolled or any(erased.values()):
            log.info("retention: %d weeks rolled up; erased %s", rolled, erased)
        job.due_at = now + EVERY

    return {RETENTION: run}


def ensure_scheduled(*, session: Session, now: datetime) -> None:
    """Called at start-up: the daily job exists once."""
    schedule.ensure_once(session=session, kind=RETENTION, subject=RETENTION, due_at=now + EVERY, now=now)
