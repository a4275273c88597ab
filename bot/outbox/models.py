"""The outbox table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import AutoString, Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class OutboxState(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    dead = "dead"
    unreachable = "unreachable"
    cancelled = "cancelled"


class OutboxKind(StrEnum):
    """What a queued message is. The first seven are the attention policy's kinds (`bot.policy.model.Kind`:
    they spend or wait for a person's attention budget); the rest are never planned by the policy."""

    answer = "answer"
    escalation_notice = "escalation_notice"
    reminder = "reminder"
    announcement = "announcement"
    question = "question"
    nudge = "nudge"
    tip = "tip"
    reply = "reply"  # to a person's own action, in the conversation they acted in
    notice = "notice"  # a one-off notice to a person (made admin, enrolment done)
    preview = "preview"  # what a person asked to see themselves: not attention the coach takes
    update = "update"  # a sent message shown again with new content (a settled choice)
    friction_card = "friction_card"  # to an owners' channel
    escalation_card = "escalation_card"  # to an escalation channel


class _KindColumn(TypeDecorator[OutboxKind]):
    """Stored as its plain string (no database enum to migrate when a kind is added); a kind written by
    newer code during a rolling upgrade reads as a notice rather than failing the claim."""

    impl = AutoString
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(OutboxKind(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> OutboxKind | None:
        if value is None:
            return None
        try:
            return OutboxKind(value)
        except ValueError:
            return OutboxKind.notice


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True, max_length=255)
    platform: str
    address: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    kind: OutboxKind = Field(default=OutboxKind.reply, sa_column=Column(_KindColumn, nullable=False))
    priority: int = 50  # lower goes first
    critical: bool = False  # bypassed the attention policy (outage notice, an answer someone awaits)
    thread_id: str | None = None
    update_of_key: str | None = None  # replace the message sent for this key instead of posting
    after_sent: str | None = None  # "handler:argument", called in the unit of work that marks it sent
    state: OutboxState = Field(default=OutboxState.pending)
    attempts: int = 0  # tries the platform answered or may have; a rate limit is not one of them
    unsure: bool = False  # the last try may have been delivered (timed out, or its process died)
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    claimed_by: str | None = None
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    platform_message_id: str | None = None
    platform_thread_id: str | None = None
    last_error: str | None = None


class SendPace(SQLModel, table=True):
    """One platform quota's shared schedule (`bot/outbox/pace.py`): every process reserves its next
    sends here, so N processes together keep one quota, and a refusal pauses them all."""

    __tablename__ = "send_pace"

    key: str = Field(primary_key=True, max_length=255)  # platform:workspace:method
    next_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))  # the next free slot
    rate: float  # sends per second now: the configured rate, or less after a refusal
    # When sending resumed after the last refusal; the rate climbs back from there.
    refused_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
