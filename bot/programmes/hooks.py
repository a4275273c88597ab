"""The due-work handlers the programme registers with the ticker."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.content import Content
from bot.ports import Directory
from bot.programmes import channel, due, everyone, signals
from bot.schedule.models import DueWork
from bot.schedule.ticker import AsyncHandler, Handler
from bot.store.db import Store


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    def run_step(session: Session, job: DueWork, now: datetime) -> None:
        due.run_due_step(session=session, job=job, now=now, content=content, settings=settings)

    def refresh(session: Session, job: DueWork, now: datetime) -> None:
        signals.refresh_people(session=session, job=job, now=now, content=content)

    return {due.STEP: run_step, signals.REFRESH: refresh}


def async_handlers(
    *, store: Store, content: Content, settings: Settings, directories: Mapping[str, Directory]
) -> dict[str, AsyncHandler]:
    return {
        **channel.async_handlers(store=store, content=content, settings=settings, directories=directories),
        **everyone.async_handlers(store=store, content=content, settings=settings, directories=directories),
    }
