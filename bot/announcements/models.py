"""Tables for announcements, their recipients and the questions recipients ask."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime


class AnnouncementState(StrEnum):
    draft = "draft"  # previewed, not confirmed
    scheduled = "scheduled"  # confirmed; fan-out starts at send_at
    sending = "sending"  # fan-out running or messages waiting for their slot
    done = "done"  # fanned out completely
    cancelled = "cancelled"


class Announcement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    client_key: str | None = Field(default=None, unique=True, max_length=255)  # the API's idempotency key
    title: str
    body: str = Field(sa_column=Column(Text, nullable=False))  # a sandboxed template, rendered per person
    system_key: str | None = Field(default=None, index=True)
    model_version: str | None = None
    audience_kind: str
    audience_param: str = ""
    send_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    local_when: str | None = None  # "mon 09:30": each recipient's own local time
    ack_required: bool = False
    critical: bool = False
    author_id: int | None = Field(default=None, foreign_key="person.id")
    author_name: str = ""
    state: AnnouncementState = Field(default=AnnouncementState.draft)
    recipients: int = 0  # audience size when confirmed
    unreachable: int = 0  # of those, without a reachable identity when confirmed
    fanned_out: int = 0
    cursor: int = 0  # the last person id fanned out
    status_seq: int = 0  # how many status updates the author has been sent
    status_snapshot: str = ""  # the counts last shown to the author
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class AnnouncementRecipient(SQLModel, table=True):
    __tablename__ = "announcement_recipient"
    __table_args__ = (UniqueConstraint("announcement_id", "person_id", name="uq_announcement_recipient"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    outbox_key: str = Field(max_length=255)
    held: bool = False  # the attention policy holds it (should not happen for announcements)
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class AnnouncementQuestion(SQLModel, table=True):
    __tablename__ = "announcement_question"

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    communicator_id: int | None = Field(default=None, foreign_key="person.id")
    asked_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    reminded: int = 0
