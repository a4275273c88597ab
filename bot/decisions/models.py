"""Tables for drift reviews and decisions. Both are append-only: a new review or decision supersedes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class Verdict(StrEnum):
    stable = "stable"
    watch = "watch"
    degraded = "degraded"


class DecisionKind(StrEnum):
    retrain = "retrain"
    replace_model = "replace"
    roll_back = "roll_back"
    keep = "keep"
    suspend = "suspend"
    retire = "retire"


class DriftReview(SQLModel, table=True):
    """What a drift monitor looked at, their verdict and evidence, and what the coach showed them."""

    __tablename__ = "drift_review"

    id: int | None = Field(default=None, primary_key=True)
    system_key: str = Field(index=True)
    reviewer_id: int = Field(foreign_key="person.id")
    verdict: str  # a Verdict
    looked_at: str = Field(sa_column=Column(Text, nullable=False))
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False))  # links, one a line
    # The flags (counts by reason) and friction themes since the previous review, as shown on the form.
    shown: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    drill_id: int | None = None  # recorded by a backup standing in during a handover drill
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))

    @property
    def reference(self) -> str:
        return f"DR-{self.id}"


class Decision(SQLModel, table=True):
    """A retraining decider's decision, with the reviews and flags behind it."""

    id: int | None = Field(default=None, primary_key=True)
    system_key: str = Field(index=True)
    decider_id: int = Field(foreign_key="person.id")
    kind: str  # a DecisionKind
    rationale: str = Field(sa_column=Column(Text, nullable=False))
    review_id: int | None = Field(default=None, foreign_key="drift_review.id", index=True)
    flag_ids: list[int] = Field(default_factory=list, sa_column=Column(JSONColumn, nullable=False))
    model_version: str | None = None  # the version it leads to (retrain, replace, roll back)
    drill_id: int | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))

    @property
    def reference(self) -> str:
        return f"DEC-{self.id}"
