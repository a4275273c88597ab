"""The outbox table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class OutboxState(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    dead = "dead"
    unreachable = "unreachable"
    cancelled = "cancelled"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True, max_length=255)
    platform: str
    address: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    kind: str = "reply"  # nudge, question, reminder, announcement, escalation, notice, reply
    priority: int = 50  # lower goes first
    critical: bool = False  # bypassed the attention policy (outage notice, an answer someone awaits)
    thread_id: str | None = None
    update_of_key: str | None = None  # replace the message sent for this key instead of posting
    after_sent: str | None = None  # "handler:argument", called in the unit of work that marks it sent
    state: OutboxState = Field(default=OutboxState.pending)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    claimed_by: str | None = None
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    platform_message_id: str | None = None
    platform_thread_id: str | None = None
    last_error: str | None = None
