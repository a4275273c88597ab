"""Tables for AI systems, their role assignments and confirmations, and the handover drills whose
stand-ins act in a role while one runs (`service.holder`; bot/drills starts, ends and reports them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


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


class RoleConfirmation(SQLModel, table=True):
    """One confirmation card: a person asked whether their roles of one system are still right.

    `roles` names each role they hold there: "drift_monitor", or "backup:escalation_owner" for a backup.
    `answer`: None while waiting, then confirmed, handover (a successor is named and must accept),
    not_me, or lapsed (no answer after the reminders).
    """

    __tablename__ = "role_confirmation"

    id: int | None = Field(default=None, primary_key=True)
    system_key: str = Field(index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSONColumn, nullable=False))
    asked_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    reminders: int = 0
    answer: str | None = None
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    successor_id: int | None = Field(default=None, foreign_key="person.id")
    successor_answer: str | None = None  # accepted or declined
    successor_answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class DepartureReview(SQLModel, table=True):
    """A sign that someone may have left (removed from a team, sends failing), for admins to decide.

    `state`: open, confirmed (they left: `leavers.depart` ran) or dismissed (still here)."""

    __tablename__ = "departure_review"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    signal: str  # removed_from_team, unreachable
    detail: str = ""
    state: str = Field(default="open", index=True)
    opened_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class Drill(SQLModel, table=True):
    """A handover drill. `standins` maps each role to the backup standing in; `report` is kept once done."""

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
