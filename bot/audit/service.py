"""Persistence for the audit trail and event de-duplication."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
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


_CLAIM_EVENT = {
    # Plain driver SQL: this runs for every inbound event, and skipping statement compilation matters.
    "sqlite": "INSERT INTO processedevent (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
    "postgresql": "INSERT INTO processedevent (key, at) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
}


def first_time(*, session: Session, key: str, at: datetime) -> bool:
    """Claim an inbound event key; False when another delivery of it was already processed.

    One insert-or-ignore, so a retry racing the first delivery in another process loses cleanly.
    """
    connection = session.connection()
    stored_at: object = at.astimezone(UTC).replace(tzinfo=None)  # naive UTC, as UTCDateTime stores it
    if connection.dialect.name == "sqlite":
        stored_at = f"{stored_at:%Y-%m-%d %H:%M:%S.%f}"  # SQLAlchemy's SQLite DATETIME text form
    result = connection.exec_driver_sql(_CLAIM_EVENT[connection.dialect.name], (key, stored_at))
    return bool(result.rowcount == 1)


def forget_processed_before(*, session: Session, before: datetime) -> None:
    session.execute(delete(ProcessedEvent).where(col(ProcessedEvent.at) < before))


RETENTION = timedelta(days=2)
