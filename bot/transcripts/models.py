"""The transcript table: one row per line of a conversation, bot messages as neutral JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class TranscriptLine(SQLModel, table=True):
    __tablename__ = "transcript_line"
    __table_args__ = (
        UniqueConstraint("conversation", "message_id", name="uq_transcript_conversation_message"),
        Index("ix_transcript_conversation_id", "conversation", "id"),  # the newest lines, and pruning
    )

    id: int | None = Field(default=None, primary_key=True)  # the order lines were said in
    conversation: str = Field(max_length=255)
    message_id: str = Field(max_length=64)  # the id the chat shows, replies thread on and buttons name
    author: str = Field(max_length=255)
    author_email: str | None = Field(default=None, max_length=320)  # who typed it; None for the bot
    thread_id: str | None = Field(default=None, max_length=64)
    text: str | None = None  # what a person typed, verbatim
    message: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn, nullable=True))
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
