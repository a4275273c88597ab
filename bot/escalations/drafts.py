"""Outputs being flagged, kept whole on the server while the person fills in the flag form.

A form cannot carry a long output: a Slack modal's text input and its private_metadata hold 3,000
characters, a Teams card about 28 KB. So an output that arrives in a message (`flag <output>`), a
message shortcut or a message action is kept here, the form carries only `draft:ID`, and the flag
takes the text from here, whole, up to `MAX_OUTPUT` characters (longer ones are refused with the limit
named). Drafts older than `RETENTION` are deleted whenever a new one is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, delete

from bot.escalations.models import FlagDraft
from bot.inbound import row_id

MAX_OUTPUT = 40_000  # far above what people paste; a Slack message holds 40,000, a Teams one ~28 KB
RETENTION = timedelta(days=7)
PREFIX = "draft:"


def too_long(text: str) -> str | None:
    """Why `text` cannot be flagged, naming the limit; None when it can."""
    if len(text) <= MAX_OUTPUT:
        return None
    return (
        f"That output is {len(text):,} characters long; a flag keeps up to {MAX_OUTPUT:,}. "
        "Flag the part that confused you, or split it into two flags."
    )


def keep(*, session: Session, person_id: int, output: str, link: str | None, now: datetime) -> FlagDraft:
    session.execute(delete(FlagDraft).where(col(FlagDraft.created_at) < now - RETENTION))
    draft = FlagDraft(person_id=person_id, output_text=output, source_link=link, created_at=now)
    session.add(draft)
    session.flush()
    return draft


def context_of(draft: FlagDraft) -> str:
    """What the flag form carries instead of the output."""
    return f"{PREFIX}{draft.id}"


def is_draft(context: str) -> bool:
    return context.startswith(PREFIX)


def find(*, session: Session, context: str, person_id: int) -> FlagDraft | None:
    """The draft a form's context names, if it is still kept and belongs to this person."""
    raw = context.removeprefix(PREFIX)
    wanted = row_id(raw) if is_draft(context) else None
    draft = session.get(FlagDraft, wanted) if wanted else None
    return draft if draft is not None and draft.person_id == person_id else None


def forget(*, session: Session, draft: FlagDraft) -> None:
    session.delete(draft)
