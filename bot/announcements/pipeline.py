"""What a release pipeline does through the API: announce a model update once per client key, and read
an announcement's live counts. Each is one unit of work; the web adapter only translates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.announcements import drafts, service
from bot.announcements.models import Announcement
from bot.content import Content
from bot.store.db import Store

AUTHOR = "release pipeline (API)"


async def announce(
    store: Store, *, content: Content, request: drafts.Request, key: str, now: datetime
) -> tuple[Announcement, bool]:
    """Create and confirm the announcement, or return the one this key created before (created False).
    Raises `drafts.DraftErrors` for a request the content refuses."""

    def work(session: Session) -> tuple[Announcement, bool]:
        existing = service.by_client_key(session=session, key=key)
        if existing is not None:
            return existing, False
        announcement = drafts.create(
            session=session,
            content=content,
            request=request,
            author=None,
            author_name=AUTHOR,
            now=now,
            client_key=key,
        )
        service.confirm(session=session, announcement=announcement, now=now)
        return announcement, True

    try:
        return await store.run(work)
    except IntegrityError:  # the same key raced in from a retry: answer with the winner
        found = await store.run(lambda s: service.by_client_key(session=s, key=key))
        if found is None:
            raise
        return found, False


async def progress(store: Store, *, announcement_id: int) -> dict[str, Any] | None:
    """An announcement's state and counts; None for no such announcement (or a draft)."""

    def work(session: Session) -> dict[str, Any] | None:
        found = service.get(session=session, announcement_id=announcement_id)
        if found is None or found.state == "draft":
            return None
        counts = service.counts(session=session, announcement=found)
        return {"id": found.id, "state": service.progress(found, counts), **counts.as_dict()}

    return await store.run(work)
