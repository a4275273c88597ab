"""Work that runs after Slack's ack: a few jobs at a time, interactive ones first.

Why not one task per request (what Bolt does when a listener just awaits): under a burst, hundreds
of those tasks finish their unit of work together and their deliveries fill a single event-loop
iteration, so the acks of new requests wait behind them (the ack p99 in `python -m bench slack`).
A fixed set of workers keeps every iteration short and lets the queue do the waiting. Clicks,
commands and shortcuts go first: their trigger_id is only good for 3 seconds.

Queued work lives in memory, as Bolt's tasks do: Slack has its ack and will not retry, so a process
killed mid-burst loses what it had not started. On a graceful stop the queue is drained first.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable

from prometheus_client import Gauge

log = logging.getLogger(__name__)
QUEUED = Gauge("coach_slack_after_ack_queued", "Slack events acked and waiting for a worker")

Job = Callable[[], Awaitable[None]]
INTERACTIVE, EVENT = 0, 1  # queue priorities: lower goes first


class AfterAck:
    # 16: in `python -m bench slack` 64 workers let bursts back up into the ack p99 (160-220 ms), 32
    # gave 42-71 ms, 16 gave 35-44 ms with the same answered rate; 8 could not keep enough Web API
    # calls in flight.
    def __init__(self, *, workers: int = 16, drain_seconds: float = 10.0) -> None:
        self.workers = workers
        self.drain_seconds = drain_seconds
        self._queue: asyncio.PriorityQueue[tuple[int, int, Job]] | None = None
        self._order = itertools.count()  # FIFO within a priority; jobs themselves don't compare
        self._tasks: list[asyncio.Task[None]] = []
        self._loose: set[asyncio.Task[None]] = set()

    def submit(self, job: Job, *, interactive: bool) -> None:
        if self._queue is None:  # not started (an app used without its server): run it now
            task = asyncio.ensure_future(_guarded(job))
            self._loose.add(task)
            task.add_done_callback(self._loose.discard)
            return
        self._queue.put_nowait((INTERACTIVE if interactive else EVENT, next(self._order), job))
        QUEUED.set(self._queue.qsize())

    async def start(self) -> None:
        queue: asyncio.PriorityQueue[tuple[int, int, Job]] = asyncio.PriorityQueue()
        self._queue = queue
        self._tasks = [asyncio.create_task(_work(queue)) for _ in range(self.workers)]

    async def stop(self) -> None:
        """Finish what is queued or running (up to `drain_seconds`), then stop the workers."""
        queue, self._queue = self._queue, None
        if queue is not None:
            if queue.qsize():
                log.info("finishing %d Slack events before stopping", queue.qsize())
            try:
                await asyncio.wait_for(queue.join(), self.drain_seconds)
            except TimeoutError:
                log.warning("stopped with %d Slack events unprocessed", queue.qsize())
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []


async def _work(queue: asyncio.PriorityQueue[tuple[int, int, Job]]) -> None:
    while True:
        _, _, job = await queue.get()
        QUEUED.set(queue.qsize())
        try:
            await _guarded(job)
        finally:
            queue.task_done()


async def _guarded(job: Job) -> None:
    try:
        await job()
    except Exception:  # the engine answers people; this catches adapter failures (e.g. the network)
        log.exception("work after the Slack ack failed")
