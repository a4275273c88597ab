"""An announcement to a person the coach never met, created as an admin's confirmed draft would be."""

from __future__ import annotations

from sqlmodel import Session

from adapters.runtime import Runtime
from bot.announcements import drafts, service

SECRET_EMAIL = "zoe.private@example.com"  # only admins may see who an announcement went to


async def announce_to_a_stranger(runtime: Runtime) -> int:
    now = runtime.clock.now()

    def work(session: Session) -> int:
        request = drafts.Request(title="Compass 2026-12", body="Hello", audience_kind="people",
                                 audience_param=SECRET_EMAIL)  # fmt: skip
        found = drafts.create(session=session, content=runtime.content, request=request, author=None,
                              author_name="test", now=now)  # fmt: skip
        service.confirm(session=session, announcement=found, now=now)
        assert found.id is not None
        return found.id

    return await runtime.store.run(work)
