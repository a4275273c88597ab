"""The weekly rollup: each system's outcomes for each past calendar week, frozen before raw rows go."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime


class WeeklyRollup(SQLModel, table=True):
    """One system's figures for the week starting Monday 00:00 UTC `week_start` (bot.outcomes.Week)."""

    __tablename__ = "weekly_rollup"
    __table_args__ = (UniqueConstraint("system_key", "week_start", name="uq_weekly_rollup"),)

    id: int | None = Field(default=None, primary_key=True)
    system_key: str
    week_start: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rolled_up_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
