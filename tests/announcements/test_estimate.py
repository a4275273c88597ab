"""The author's status message says when the rest will have gone, at the platform's posting limit."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.announcements.estimate import finish_text
from bot.announcements.models import Announcement
from bot.outbox.models import OutboxMessage, OutboxState, SendPace
from bot.ports import FixedClock
from bot.store.db import Store


def queue(session: Session, now: datetime, platform: str, n: int, *, start: int = 0) -> None:
    for i in range(start, start + n):
        session.add(
            OutboxMessage(
                idempotency_key=f"announcement:1:person:{i}",
                platform=platform,
                state=OutboxState.pending,
                next_attempt_at=now,
                created_at=now,
            )
        )
    session.flush()


def estimate(store: Store, pending: int, scale: float = 1.0) -> str | None:
    announcement = Announcement(id=1, title="t", body="b", audience_kind="everyone", created_at=datetime.now())
    return store.run_sync(
        lambda s: finish_text(session=s, announcement=announcement, pending=pending, scale=scale)
    )


def test_slack_rows_go_at_slacks_posting_limit(store: Store, clock: FixedClock) -> None:
    store.run_sync(lambda s: queue(s, clock.now(), "slack", 100))  # the first chunk; the rest not fanned out
    assert estimate(store, 9_000) == "~17 min at Slack's limit"  # 9 a second (600/min, paced at 90%)
    assert estimate(store, 9_000 + 900) == "~18 min at Slack's limit"
    assert estimate(store, 9_000, scale=10) == "~2 min at Slack's limit"  # COACH_QUOTA_SCALE
    assert estimate(store, 0) is None


def test_a_lowered_shared_rate_is_used_and_the_slowest_platform_sets_the_finish(
    store: Store, clock: FixedClock
) -> None:
    now = clock.now()

    def rows(session: Session) -> None:
        queue(session, now, "slack", 300)
        queue(session, now, "teams", 400, start=300)
        session.add(SendPace(key="slack:T1:chat.postMessage", next_at=now, rate=0.5))  # after a refusal

    store.run_sync(rows)
    assert estimate(store, 700) == "~10 min at Slack's limit"  # 300 at 0.5/s; Teams' 400 at 40/s take 10 s
    assert estimate(store, 700 + 99_300) == "~42 min at Teams' limit"  # the rest not fanned out go to Teams
