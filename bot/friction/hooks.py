"""The due-work handlers friction registers with the ticker: the per-owner digest."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.content import Content
from bot.friction import due
from bot.schedule.models import DueWork
from bot.schedule.ticker import Handler


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    def digest(session: Session, job: DueWork, now: datetime) -> None:
        due.run_digest(session=session, job=job, now=now, content=content, settings=settings)

    return {due.DIGEST: digest}
