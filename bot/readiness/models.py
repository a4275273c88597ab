"""Readiness kept per system and week, so its trend can be shown (the weekly gap check and every report
record the week's latest score)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime


class ReadinessWeek(SQLModel, table=True):
    """One system's latest score in the week starting Monday 00:00 UTC `week_start`."""

    __tablename__ = "readiness_week"
    __table_args__ = (UniqueConstraint("system_key", "week_start", name="uq_readiness_week"),)

    id: int | None = Field(default=None, primary_key=True)
    system_key: str
    week_start: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    score: int
    failing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
