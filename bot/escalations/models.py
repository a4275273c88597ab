"""Tables for escalations and FAQ entries. The timeline is the audit trail (subject `escalation:ID`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class Status(StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    answered = "answered"
    resolved = "resolved"


class Escalation(SQLModel, table=True):
    """One flagged output. The SLA numbers and due times are copied here at flag time (frozen)."""

    id: int | None = Field(default=None, primary_key=True)
    system_key: str = Field(index=True)
    flagger_id: int = Field(foreign_key="person.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    anonymous: bool = False
    reason: str  # wrong, unclear, outdated, harmful, other
    expected: str = Field(default="", sa_column=Column(Text, nullable=False))
    output_text: str = Field(sa_column=Column(Text, nullable=False))
    source_link: str | None = None
    model_version: str | None = None
    trace_id: str | None = None
    status: Status = Field(default=Status.open, index=True)
    resolution: str | None = None  # explained, model_issue, data_issue, not_an_issue
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_by: int | None = Field(default=None, foreign_key="person.id")
    helpful: bool | None = None
    # SLA, frozen at flag time: working hours in the owner's zone and the instants they give.
    acknowledge_hours: float
    answer_hours: float
    acknowledge_due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    answer_due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    breaches: int = 0  # 1 once the backup was called in, 2 once admins were told
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Where the card went: the thread replies are matched on (platform, thread id).
    card_platform: str | None = None
    card_thread_id: str | None = Field(default=None, index=True)
    card_address: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))

    @property
    def reference(self) -> str:
        return f"ESC-{self.id}"

    @property
    def is_closed(self) -> bool:
        return self.status == Status.resolved


class FlagDraft(SQLModel, table=True):
    """An output someone is flagging, kept whole while they fill in the form (see `drafts`)."""

    __tablename__ = "flag_draft"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    output_text: str = Field(sa_column=Column(Text, nullable=False))
    source_link: str | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class FaqEntry(SQLModel, table=True):
    """An answer an owner published, offered to the next person who flags a similar output."""

    __tablename__ = "faq_entry"

    id: int | None = Field(default=None, primary_key=True)
    system_key: str = Field(index=True)
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id")
    output_text: str = Field(sa_column=Column(Text, nullable=False))
    question: str = Field(default="", sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    published_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
