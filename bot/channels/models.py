"""The channel address table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class ChannelAddress(SQLModel, table=True):
    __tablename__ = "channel_address"
    __table_args__ = (UniqueConstraint("platform", "channel_id", name="uq_channel_platform_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    workspace: str
    channel_id: str
    address: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    seen_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
