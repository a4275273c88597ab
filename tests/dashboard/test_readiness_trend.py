"""The readiness page draws each system's weekly score (readiness_week, written by the weekly gap check)
as a chart with its numbers beside it; a system with no week recorded yet has no chart."""

from __future__ import annotations

from datetime import timedelta

from adapters.runtime import Runtime
from bot.readiness.models import ReadinessWeek
from tests.dashboard.helpers import link_from_chat, sign_in
from tests.local.helpers import Client


async def test_the_weekly_scores_show_as_a_trend(client: Client, runtime: Runtime) -> None:
    now = runtime.clock.now()
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)

    def seed(s):  # type: ignore[no-untyped-def]
        for back, score in enumerate((71, 64, 58)):
            s.add(
                ReadinessWeek(
                    system_key="assistant",
                    week_start=monday - timedelta(weeks=back),
                    score=score,
                    failing=[],
                    recorded_at=now,
                )
            )

    runtime.store.run_sync(seed)
    await sign_in(client, await link_from_chat(client, "ada@example.com"))
    page = await (await client.get("/dashboard/readiness")).text()
    assert "Compass: readiness score per week" in page
    assert 'alt="Compass: readiness score per week, in %' in page
    oldest, newest = page.index("<td>58"), page.index("<td>71")
    assert oldest < newest  # oldest week first
    assert "readiness score per week" not in page.split("(contract-review)</h2>")[-1]  # none recorded for it
