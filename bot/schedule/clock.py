"""APScheduler is only the clock: it wakes the ticker and the outbox, the database holds the work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler


def start_ticking(jobs: dict[str, tuple[Callable[[], Awaitable[object]], float]]) -> AsyncIOScheduler:
    """Start one interval job per entry (name → (coroutine function, seconds)); call in a running loop."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    for name, (function, seconds) in jobs.items():
        scheduler.add_job(
            function,
            "interval",
            seconds=seconds,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    scheduler.start()
    return scheduler
