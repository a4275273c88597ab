"""The due work table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class DueState(StrEnum):
    pending = "pending"
    done = "done"
    cancelled = "cancelled"


class DueWork(SQLModel, table=True):
    __tablename__ = "due_work"
    __table_args__ = (Index("ix_due_work_due", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # the handler, e.g. "programme.step"
    subject: str = Field(
        unique=True, max_length=255
    )  # one pending job per subject, e.g. "enrolment:4:step:tip"
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    state: DueState = Field(default=DueState.pending)
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    note: str | None = None
