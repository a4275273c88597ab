"""The parked event table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class ParkedEvent(SQLModel, table=True):
    __tablename__ = "parked_event"

    id: int | None = Field(default=None, primary_key=True)  # taken in the order they were parked
    platform: str = Field(max_length=16, index=True)
    event: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))  # bot.events.dump_event
    reply: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    parked_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
