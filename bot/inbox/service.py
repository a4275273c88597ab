"""Park acknowledged events at a stop; take them back (each once, across processes) to handle them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.events import Event, dump_event, load_event
from bot.inbox.models import ParkedEvent


@dataclass(frozen=True)
class Parked:
    event: Event
    reply: Mapping[str, Any] = field(default_factory=dict)  # the adapter's own: how to answer it


def park(*, session: Session, platform: str, parked: Sequence[Parked], now: datetime) -> None:
    for item in parked:
        row = ParkedEvent(
            platform=platform, event=dump_event(item.event), reply=dict(item.reply), parked_at=now
        )
        session.add(row)


def waiting(*, session: Session, platform: str) -> bool:
    """Whether anything is parked: a read, so that looking (at every start, every minute) writes nothing."""
    query = select(ParkedEvent.id).where(ParkedEvent.platform == platform).limit(1)
    return session.exec(query).first() is not None


def take(*, session: Session, platform: str, limit: int = 100) -> list[Parked]:
    """The oldest parked events of `platform`, removed; on PostgreSQL other processes skip them."""
    query = select(ParkedEvent).where(ParkedEvent.platform == platform)
    query = query.order_by(col(ParkedEvent.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.exec(query).all())
    for row in rows:
        session.delete(row)
    return [Parked(event=load_event(row.event), reply=row.reply) for row in rows]
