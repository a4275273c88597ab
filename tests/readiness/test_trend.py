"""Readiness tracked weekly: with a fixed clock over several weeks of history, each weekly gap check
keeps the week's score, and `readiness` shows the trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.runtime import Runtime
from bot.decisions.models import DriftReview
from bot.people import service as people
from bot.readiness import service
from bot.readiness.hooks import send_gaps
from tests.escalations.helpers import ADA, install, meet, words
from tests.programmes.harness import say

MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def weekly_check(runtime: Runtime, at: datetime) -> None:
    runtime.store.run_sync(
        lambda s: send_gaps(session=s, content=runtime.content, settings=runtime.settings, now=at)
    )


def drift_review(runtime: Runtime, at: datetime) -> None:
    def add(s):  # type: ignore[no-untyped-def]
        ivan = people.ensure_by_email(session=s, email="ivan@example.com", now=at)
        assert ivan.id is not None
        s.add(
            DriftReview(
                system_key="assistant",
                reviewer_id=ivan.id,
                verdict="stable",
                looked_at="flags",
                created_at=at,
            )
        )

    runtime.store.run_sync(add)


async def test_weekly_scores_make_a_trend(runtime: Runtime) -> None:
    install(runtime)
    await meet(runtime, ADA)
    weekly_check(runtime, MONDAY)
    weekly_check(runtime, MONDAY + timedelta(days=7))
    weekly_check(runtime, MONDAY + timedelta(days=7, hours=30))  # same week again: the last one stands
    drift_review(runtime, MONDAY + timedelta(days=13))
    weekly_check(runtime, MONDAY + timedelta(days=14))
    found = runtime.store.run_sync(lambda s: service.trend(session=s, system="assistant"))
    weeks = [w for w, _ in found]
    assert weeks == [MONDAY.replace(hour=0) + timedelta(days=7 * n) for n in range(3)]
    first, second, third = (score for _, score in found)
    assert first == second and third > second  # the drift review (×3) raised it
    shown = words(await say(runtime, ADA, "readiness"))
    assert f"Weekly: {first} → {second} → {third} (since 2026-11-02)" in shown
    assert len(runtime.store.run_sync(lambda s: service.trend(session=s, system="assistant", weeks=2))) == 2
