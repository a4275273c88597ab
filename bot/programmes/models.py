"""Tables for enrolments, step progress, stored programme versions, pulse answers and previews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime


class ProgrammeVersion(SQLModel, table=True):
    """Each programme file as it was when someone enrolled, so later edits never break them."""

    __tablename__ = "programme_version"

    programme_key: str = Field(primary_key=True)
    version: str = Field(primary_key=True)
    source: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Enrolment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("person_id", "programme_key", name="uq_enrolment_person_programme"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    programme_key: str = Field(index=True)
    version: str
    stage: str = "invited"
    stage_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    enrolled_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    enrolled_by: str = "first_contact"  # first_contact, admin, import, channel
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class StepProgress(SQLModel, table=True):
    __tablename__ = "step_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "step_key", name="uq_step_progress"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id", index=True)
    step_key: str
    times_sent: int = 0
    last_sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    skipped: str | None = None  # why it was skipped, if it was


class PulseAnswer(SQLModel, table=True):
    """One answer to one sending of a step's question (a repeated question is asked afresh each time).

    `enrolment_id` and `sending` are empty on answers recorded before they existed; the unique index
    makes a second answer to the same sending impossible, even from two clicks at the same moment.
    """

    __tablename__ = "pulse_answer"
    __table_args__ = (Index("uq_pulse_answer_sending", "enrolment_id", "step_key", "sending", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    programme_key: str
    step_key: str
    question_key: str = Field(index=True)
    number: float | None = None
    text: str | None = None
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    enrolment_id: int | None = Field(default=None, foreign_key="enrolment.id")
    sending: int | None = None  # which sending of the step it answers: 1, 2, … (its outbox key's last part)
    changed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class ProgrammePreview(SQLModel, table=True):
    """One `preview` of a programme, sent to one person. What they click on its steps is kept here,
    apart from any enrolment: a preview never marks a step done, moves a stage or counts in outcomes."""

    __tablename__ = "programme_preview"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    programme_key: str
    version: str
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class PreviewStep(SQLModel, table=True):
    __tablename__ = "preview_step"
    __table_args__ = (UniqueConstraint("preview_id", "step_key", name="uq_preview_step"),)

    id: int | None = Field(default=None, primary_key=True)
    preview_id: int = Field(foreign_key="programme_preview.id", index=True)
    step_key: str
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    answer: str | None = None  # the answer as shown
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
