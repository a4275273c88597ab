"""Tables for AI systems and their role assignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime


class SystemRecord(SQLModel, table=True):
    """What changes about a system at run time (its model version); the rest lives in systems.yaml."""

    __tablename__ = "system_record"

    key: str = Field(primary_key=True)
    model_version: str | None = None
    model_version_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # in_use, suspended or retired: set by a retraining decision (bot/decisions); programmes of a
    # system out of use send no nudges.
    status: str = Field(default="in_use", sa_column_kwargs={"server_default": "in_use"})


class RoleAssignment(SQLModel, table=True):
    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("system_key", "role", name="uq_role_assignment"),)

    id: int | None = Field(default=None, primary_key=True)
    system_key: str = Field(index=True)
    role: str
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    backup: str | None = None  # an email or "group:NAME" (groups live in systems.yaml)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: int | None = Field(default=None, foreign_key="person.id")  # None: seeded from content
