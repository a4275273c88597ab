"""Persistence for transcripts: append, replace in place, find, the newest lines, who posted.

Every append keeps the conversation to its newest KEEP lines, so no conversation grows without bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.messages import Message, dump_message, load_message
from bot.transcripts.models import TranscriptLine

KEEP = 500  # lines per conversation: a long demo day in one tab, and one indexed scan to prune


@dataclass(frozen=True)
class Line:
    """One line of a conversation: a bot `message`, or `text` a person typed (`author_email`)."""

    message_id: str
    author: str
    message: Message | None = None
    text: str | None = None
    author_email: str | None = None
    thread_id: str | None = None


def append(*, session: Session, conversation: str, line: Line, now: datetime, keep: int = KEEP) -> None:
    session.add(
        TranscriptLine(
            conversation=conversation,
            message_id=line.message_id,
            author=line.author,
            author_email=line.author_email,
            thread_id=line.thread_id,
            text=line.text,
            message=dump_message(line.message) if line.message is not None else None,
            at=now,
        )
    )
    session.flush()
    prune(session=session, conversation=conversation, keep=keep)


def replace(*, session: Session, conversation: str, message_id: str, line: Line) -> Line | None:
    """Put `line` in place of `message_id`, keeping its id, thread and position; None when it is gone."""
    row = _row(session=session, conversation=conversation, message_id=message_id)
    if row is None:
        return None
    row.author = line.author
    row.author_email = line.author_email
    row.text = line.text
    row.message = dump_message(line.message) if line.message is not None else None
    session.add(row)
    return _line(row)


def find(*, session: Session, conversation: str, message_id: str) -> Line | None:
    row = _row(session=session, conversation=conversation, message_id=message_id)
    return _line(row) if row is not None else None


def recent(*, session: Session, conversation: str, limit: int = KEEP) -> list[Line]:
    """The newest `limit` lines, oldest first."""
    rows = session.exec(
        select(TranscriptLine)
        .where(TranscriptLine.conversation == conversation)
        .order_by(col(TranscriptLine.id).desc())
        .limit(limit)
    ).all()
    return [_line(row) for row in reversed(rows)]


def posters(*, session: Session, conversation: str) -> list[str]:
    """The emails of the people who wrote in the conversation, first seen first."""
    first = func.min(TranscriptLine.id)
    rows: Sequence[str | None] = session.exec(
        select(TranscriptLine.author_email)
        .where(TranscriptLine.conversation == conversation, col(TranscriptLine.author_email).is_not(None))
        .group_by(col(TranscriptLine.author_email))
        .order_by(first)
    ).all()
    return [email for email in rows if email]


def prune(*, session: Session, conversation: str, keep: int = KEEP) -> None:
    """Forget all but the newest `keep` lines of the conversation."""
    oldest_kept_minus_one = session.exec(
        select(TranscriptLine.id)
        .where(TranscriptLine.conversation == conversation)
        .order_by(col(TranscriptLine.id).desc())
        .offset(keep)
        .limit(1)
    ).first()
    if oldest_kept_minus_one is not None:
        session.execute(
            delete(TranscriptLine).where(
                col(TranscriptLine.conversation) == conversation,
                col(TranscriptLine.id) <= oldest_kept_minus_one,
            )
        )


def _row(*, session: Session, conversation: str, message_id: str) -> TranscriptLine | None:
    return session.exec(
        select(TranscriptLine).where(
            TranscriptLine.conversation == conversation, TranscriptLine.message_id == message_id
        )
    ).first()


def _line(row: TranscriptLine) -> Line:
    return Line(
        message_id=row.message_id,
        author=row.author,
        message=load_message(row.message) if row.message is not None else None,
        text=row.text,
        author_email=row.author_email,
        thread_id=row.thread_id,
    )
