"""The usage event table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime


class UsageEvent(SQLModel, table=True):
    __tablename__ = "usage_event"
    __table_args__ = (
        Index("ix_usage_person_system_key_at", "person_id", "system_key", "at"),
        Index("ix_usage_system_key_at", "system_key", "at"),  # the outcomes report, week by week
    )

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(unique=True, max_length=255)  # the sender's id: re-sending is harmless
    person_id: int | None = Field(default=None, foreign_key="person.id")
    person_handle: str = Field(index=True)  # email or platform user id as sent; links people met later
    system_key: str = Field(index=True)
    kind: str = "used"
    value: float | None = None  # e.g. minutes saved
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
