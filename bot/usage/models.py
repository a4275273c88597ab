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


class UsageDay(SQLModel, table=True):
    """One human's use of one system on one UTC day (`bot.usage.days`): what the dashboard and `outcomes`
    read for whole days instead of the day's events. Day is the number of days since 1970-01-01."""

    __tablename__ = "usage_day"
    __table_args__ = (
        Index("ix_usage_day_person_system_key_day", "person_id", "system_key", "day"),
    )  # cohorts

    system_key: str = Field(primary_key=True)
    day: int = Field(primary_key=True)
    who: str = Field(primary_key=True)  # "person:ID" or "handle:HANDLE", as outcomes tells humans apart
    person_id: int | None = Field(default=None, foreign_key="person.id")
    person_handle: str | None = None  # only while the events are not linked to a person
    uses: int = 0
    minutes: float = 0.0  # the values of the day's `minutes_saved` events


class UsageDayMark(SQLModel, table=True):
    """A rolled-up day whose events changed since (arrived late, linked to a person): read from the events
    until it is rolled up again."""

    __tablename__ = "usage_day_mark"

    system_key: str = Field(primary_key=True)
    day: int = Field(primary_key=True)


class UsageRolled(SQLModel, table=True):
    """Every day of the system before `until` is rolled up, except those marked."""

    __tablename__ = "usage_rolled"

    system_key: str = Field(primary_key=True)
    until: int
