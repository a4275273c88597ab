"""Work that runs after Slack's ack: a few jobs at a time, interactive ones first.

Why not one task per request (what Bolt does when a listener just awaits): under a burst, hundreds
of those tasks finish their unit of work together and their deliveries fill a single event-loop
iteration, so the acks of new requests wait behind them (the ack p99 in `python -m bench slack`).
A fixed set of workers keeps every iteration short and lets the queue do the waiting. Clicks,
commands and shortcuts go first: their trigger_id is only good for 3 seconds.

Queued work lives in memory, as Bolt's tasks do, and Slack never sends an acknowledged event again.
On a graceful stop (SIGTERM, Ctrl-C) nothing is lost: the queue gets `drain_seconds` to finish; what
has not started by then is handed to `park` (each job's parcel: the Slack adapter stores the neutral
event in bot.inbox, and the next process to start handles it) and the jobs already running get
`finish_seconds` more. A process killed outright (SIGKILL, a crash) loses what it had queued: storing
every event before its ack would put a database write in front of each ack.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Gauge

from adapters.web.request_id import REQUEST_ID

log = logging.getLogger(__name__)
QUEUED = Gauge("coach_slack_after_ack_queued", "Slack events acked and waiting for a worker")

Job = Callable[[], Awaitable[None]]
Park = Callable[[list[Any]], Awaitable[None]]  # stores the parcels of jobs a stop could not run
INTERACTIVE, EVENT = 0, 1  # queue priorities: lower goes first
Queued = tuple[int, int, Job, Any]  # priority, order, the job, its parcel (or None: it cannot be parked)


class AfterAck:
    # 16: in `python -m bench slack` 64 workers let bursts back up into the ack p99 (160-220 ms), 32
    # gave 42-71 ms, 16 gave 35-44 ms with the same answered rate; 8 could not keep enough Web API
    # calls in flight.
    def __init__(
        self,
        *,
        workers: int = 16,
        drain_seconds: float = 10.0,
        finish_seconds: float = 5.0,
        park: Park | None = None,
    ) -> None:
        self.workers = workers
        self.drain_seconds = drain_seconds
        self.finish_seconds = finish_seconds
        self.park = park
        self.running = 0
        self._queue: asyncio.PriorityQueue[Queued] | None = None
        self._order = itertools.count()  # FIFO within a priority; jobs themselves don't compare
        self._tasks: list[asyncio.Task[None]] = []
        self._loose: set[asyncio.Task[None]] = set()

    def submit(self, job: Job, *, interactive: bool, parcel: Any = None) -> None:
        """Queue `job`; `parcel` is what `park` stores should a stop come before the job runs."""
        rid = REQUEST_ID.get()
        if rid is not None:  # its log lines name the request that brought it
            job = _tagged(job, rid)
        if self._queue is None:  # not started (an app used without its server): run it now
            task = asyncio.ensure_future(self._guarded(job))
            self._loose.add(task)
            task.add_done_callback(self._loose.discard)
            return
        self._queue.put_nowait((INTERACTIVE if interactive else EVENT, next(self._order), job, parcel))
        QUEUED.set(self._queue.qsize())

    def pending(self) -> str | None:
        """What a stop waits for here, for the log."""
        queued = self._queue.qsize() if self._queue is not None else 0
        if not (self.running or queued or self._loose):
            return None
        return f"{self.running + len(self._loose)} Slack event(s) being handled, {queued} queued"

    async def start(self) -> None:
        queue: asyncio.PriorityQueue[Queued] = asyncio.PriorityQueue()
        self._queue = queue
        self._tasks = [asyncio.create_task(self._work(queue)) for _ in range(self.workers)]

    async def stop(self) -> None:
        """Finish what is queued or running (up to `drain_seconds`), park what has not started by then,
        let the running jobs finish (up to `finish_seconds`), then stop the workers."""
        queue = self._queue
        if queue is not None:
            if queue.qsize():
                log.info("finishing %d Slack events before stopping", queue.qsize())
            if not await _joined(queue, self.drain_seconds):
                await self._park_rest(queue)
                if not await _joined(queue, self.finish_seconds):
                    log.warning("stopped with %d Slack events cut off while being handled", self.running)
            self._queue = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _park_rest(self, queue: asyncio.PriorityQueue[Queued]) -> None:
        parcels, unparkable = [], 0
        while not queue.empty():
            *_, parcel = queue.get_nowait()
            queue.task_done()
            if parcel is not None and self.park is not None:
                parcels.append(parcel)
            else:
                unparkable += 1
        QUEUED.set(0)
        if parcels:
            assert self.park is not None
            try:
                await self.park(parcels)
                log.warning("parked %d Slack events not handled in time for the next start", len(parcels))
            except Exception:
                log.exception("could not park %d Slack events: they are lost", len(parcels))
        if unparkable:
            log.warning("stopped with %d Slack events unprocessed", unparkable)

    async def _work(self, queue: asyncio.PriorityQueue[Queued]) -> None:
        while True:
            _, _, job, _ = await queue.get()
            QUEUED.set(queue.qsize())
            self.running += 1
            try:
                await self._guarded(job)
            finally:
                self.running -= 1
                queue.task_done()

    @staticmethod
    async def _guarded(job: Job) -> None:
        try:
            await job()
        except Exception:  # the engine answers people; this catches adapter failures (e.g. the network)
            log.exception("work after the Slack ack failed")


def _tagged(job: Job, rid: str) -> Job:
    async def tagged() -> None:
        token = REQUEST_ID.set(rid)
        try:
            await job()
        finally:
            REQUEST_ID.reset(token)

    return tagged


async def _joined(queue: asyncio.PriorityQueue[Queued], seconds: float) -> bool:
    try:
        await asyncio.wait_for(queue.join(), seconds)
    except TimeoutError:
        return False
    return True
