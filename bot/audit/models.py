"""Tables for the audit trail and processed inbound events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class AuditEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    actor_person_id: int | None = Field(default=None, foreign_key="person.id")
    action: str = Field(index=True)  # e.g. "admin.add", "escalation.acknowledge"
    subject: str = Field(index=True)  # e.g. "person:7", "escalation:12"
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))


class ProcessedEvent(SQLModel, table=True):
    """An inbound platform event already handled; a retry of it is dropped (works across processes)."""

    key: str = Field(primary_key=True)  # "slack:Ev123", "teams:activity-id"
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
