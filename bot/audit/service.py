"""Persistence for the audit trail and event de-duplication."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.audit.models import AuditEntry, ProcessedEvent


def record(
    *,
    session: Session,
    at: datetime,
    actor_person_id: int | None,
    action: str,
    subject: str,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=at, actor_person_id=actor_person_id, action=action, subject=subject, detail=detail or {}
    )
    session.add(entry)
    return entry


def for_subject(*, session: Session, subject: str) -> Sequence[AuditEntry]:
    return session.exec(
        select(AuditEntry).where(AuditEntry.subject == subject).order_by(col(AuditEntry.id))
    ).all()


def first_time(*, session: Session, key: str, at: datetime) -> bool:
    """Claim an inbound event key; False when another delivery of it was already processed.

    One insert-or-ignore, so a retry racing the first delivery in another process loses cleanly.
    """
    table = ProcessedEvent.__table__  # type: ignore[attr-defined]
    statement = (
        pg_insert(table) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(table)
    ).on_conflict_do_nothing(index_elements=["key"])
    inserted = session.execute(statement.values(key=key, at=at).returning(table.c.key)).first()
    return inserted is not None


def forget_processed_before(*, session: Session, before: datetime) -> None:
    session.execute(delete(ProcessedEvent).where(col(ProcessedEvent.at) < before))


RETENTION = timedelta(days=2)
