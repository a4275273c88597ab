"""Due-work handlers (SLA reminder and deadlines) and the after-sent
hook that records the card's message id, which replies in its thread are matched on."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.content import Content
from bot.escalations import due, notices
from bot.outbox.dispatcher import AfterSent
from bot.schedule.models import DueWork
from bot.schedule.ticker import Handler


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    def remind(session: Session, job: DueWork, now: datetime) -> None:
        due.remind(session=session, job=job, now=now, content=content, settings=settings)

    def deadline(session: Session, job: DueWork, now: datetime) -> None:
        due.deadline(session=session, job=job, now=now, content=content, settings=settings)

    return {
        due.REMIND: remind,
        due.ACK_DUE: deadline,
        due.ANSWER_DUE: deadline,
    }


def after_sent(*, content: Content, settings: Settings) -> dict[str, AfterSent]:
    return {notices.CARD_HOOK: notices.card_sent}
