"""APScheduler is only the clock: it wakes the ticker and the outbox, the database holds the work."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


def start_ticking(jobs: dict[str, tuple[Callable[[], Awaitable[object]], float]]) -> AsyncIOScheduler:
    """Start one interval job per entry (name → (coroutine function, seconds)); call in a running loop."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    for name, (function, seconds) in jobs.items():
        scheduler.add_job(
            functools.partial(_until_shutdown, name, function),
            "interval",
            seconds=seconds,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    scheduler.start()
    return scheduler


async def _until_shutdown(name: str, function: Callable[[], Awaitable[object]]) -> None:
    """Shutdown cancels a running job, which APScheduler would log as a job error. Nothing is lost:
    units of work already committed stay committed, and claimed due work goes back when its lease ends."""
    try:
        await function()
    except asyncio.CancelledError:
        log.info("%s stopped by shutdown", name)
