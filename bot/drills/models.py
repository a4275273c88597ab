"""The drill table. `standins` maps each role to the backup standing in; `report` is kept once done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Column, Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class Drill(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    system_key: str = Field(index=True)
    started_by: int = Field(foreign_key="person.id")
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # Set when it ended (at ends_at, or earlier when stopped); None while it runs.
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    stopped_by: int | None = Field(default=None, foreign_key="person.id")
    # {role: person id of the backup standing in}; {role: person id of the primary, treated as away}
    standins: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    primaries: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def reference(self) -> str:
        return f"DRILL-{self.id}"
