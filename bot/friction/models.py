"""Tables for friction reports, their notes and each owner's digest choice."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime


class Status(StrEnum):
    new = "new"
    triaged = "triaged"
    planned = "planned"
    fixed = "fixed"
    wont_fix = "wont_fix"
    closed = "closed"


OPEN = (Status.new, Status.triaged, Status.planned)  # still to be fixed (merged duplicates aside)


class Cadence(StrEnum):
    daily = "daily"
    weekly = "weekly"


class FrictionReport(SQLModel, table=True):
    """One report. `reporter_id` is kept even when anonymous, so the reporter still hears back;
    `anonymous` decides whether anyone else is ever shown who it was."""

    __tablename__ = "friction_report"

    id: int | None = Field(default=None, primary_key=True)
    reporter_id: int = Field(foreign_key="person.id", index=True)
    anonymous: bool = False
    system_key: str = Field(index=True)
    category: str
    severity: str
    urgent: bool = False  # copied from the severity at filing time, so a content edit can't reroute it
    trying_to: str = Field(sa_column=Column(Text, nullable=False))
    details: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Named per domain: a bare "status" enum type would collide with other domains' on PostgreSQL.
    status: Status = Field(
        default=Status.new,
        sa_column=Column(
            SAEnum(Status, name="friction_status", native_enum=False, length=20), nullable=False, index=True
        ),
    )
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # why won't fix
    merged_into: int | None = Field(default=None, foreign_key="friction_report.id", index=True)
    better: bool | None = None  # the reporter's answer to "is it better now?"
    revision: int = 0  # bumped on every status change; makes each outgoing update's key unique
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    routed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))

    @property
    def reference(self) -> str:
        return f"FR-{self.id}"

    @property
    def is_open(self) -> bool:
        return self.merged_into is None and self.status in OPEN


class FrictionNote(SQLModel, table=True):
    """An owner's note on a report (the status trail itself lives in the audit log)."""

    __tablename__ = "friction_note"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="friction_report.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="person.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class DigestChoice(SQLModel, table=True):
    """How often an owner wants the digest of non-urgent reports (daily when no row)."""

    __tablename__ = "friction_digest_choice"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    cadence: Cadence = Field(
        default=Cadence.daily,
        sa_column=Column(
            SAEnum(Cadence, name="friction_cadence", native_enum=False, length=10), nullable=False
        ),
    )
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
