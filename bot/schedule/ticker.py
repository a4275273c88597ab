"""Claims due work and runs the handler registered for each kind, in one unit of work per job.

A sync handler runs inside the job's unit of work. An async handler (one that must await the outer
ring, e.g. a platform's member list) gets a detached copy of the claimed job, holds no session while it
awaits, and opens its own units of work; the job is finished, or retried with the same backoff as a
failed sync handler, in a unit of work of its own afterwards.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.ports import Clock
from bot.schedule import service
from bot.schedule.models import DueState, DueWork
from bot.store.db import Store

log = logging.getLogger(__name__)

Handler = Callable[[Session, DueWork, datetime], None]
AsyncHandler = Callable[[DueWork, datetime], Awaitable[None]]
MAX_FAILURES = 5
RETRY_AFTER = timedelta(minutes=5)


class Ticker:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        handlers: Mapping[str, Handler],
        async_handlers: Mapping[str, AsyncHandler] | None = None,
        batch: int = 200,
        on_ran: Callable[[], None] | None = None,
        lease: timedelta = service.LEASE,
    ) -> None:
        self.store = store
        self.on_ran = on_ran or (lambda: None)  # jobs ran: what they queued may go now (the outbox)
        self._wake: asyncio.Event | None = None
        self.clock = clock
        self.handlers = dict(handlers)
        self.async_handlers = dict(async_handlers or {})
        self.batch = batch
        self.lease = lease
        self._running: set[int] = set()  # jobs this process is running now, whichever tick claimed them
        self._async_tasks: set[asyncio.Task[None]] = set()

    async def tick(self, *, wait: bool = True) -> int:
        """Run everything due now, including what the jobs run leave due at once (a fan-out's next
        chunk goes as soon as the one before is queued, not at the next tick); returns how many ran.

        Async jobs run beside the rest; with `wait` the tick returns once those it started are done too
        (tests, and `Runtime.run_due_work`), without it at once (the server's ticks: the next wake is
        not held up)."""
        total = 0
        started: list[asyncio.Task[None]] = []
        while True:
            now = self.clock.now()
            claimed = await self.store.run(functools.partial(self._claim, now=now))
            # A claim that lapsed while this process was busy (a starved loop, a slow writer) may come back
            # to its other tick (the clock's or a wake's): the job is still running here, leave it.
            ids = [job_id for job_id in claimed if job_id not in self._running]
            self._running.update(ids)
            left = list(ids)
            renewing = asyncio.create_task(self._renew_while_running(left)) if ids else None
            beside: set[int] = set()  # async jobs started in the batch: they run on beside it
            try:
                for job_id in ids:
                    detached = await self.store.run(functools.partial(self._run_one, job_id=job_id, now=now))
                    left.remove(job_id)
                    if detached is not None:
                        beside.add(job_id)
                        started.append(self._start_async(detached, now=now))
            finally:
                self._running.difference_update(set(ids) - beside)
                if renewing is not None:
                    renewing.cancel()
            total += len(ids)
            if not claimed or not ids:  # nothing due, or all of it is running here already
                if wait and started:
                    await asyncio.gather(*started, return_exceptions=True)
                return total
            self.on_ran()

    def _start_async(self, detached: DueWork, *, now: datetime) -> asyncio.Task[None]:
        """An async job (a platform's member list, the directory's pages) awaits the platform for
        seconds or minutes: it runs as a task of its own, its claim renewed while it runs, so the jobs
        after it in the batch (an announcement sent now) do not wait for it."""
        assert detached.id is not None
        job_id = detached.id

        async def run() -> None:
            renewing = asyncio.create_task(self._renew_while_running([job_id]))
            try:
                await self._run_async(detached, now=now)
            finally:
                renewing.cancel()
                self._running.discard(job_id)
            self.on_ran()

        task = asyncio.create_task(run(), name=f"due-work-{job_id}")
        self._async_tasks.add(task)
        task.add_done_callback(self._async_tasks.discard)
        return task

    async def stop(self) -> None:
        """Shutting down: the async jobs still running stop; their claims lapse for another run."""
        for task in list(self._async_tasks):
            task.cancel()
        await asyncio.gather(*self._async_tasks, return_exceptions=True)

    async def settle(self) -> None:
        """Wait for every async job this process started, whichever tick started it (tests)."""
        while self._async_tasks:
            await asyncio.gather(*self._async_tasks, return_exceptions=True)

    async def _renew_while_running(self, left: list[int]) -> None:
        """Keep the claim on the batch's jobs not run yet, a third of the lease at a time: a long batch is
        not taken over by another process, and a process that dies lets go within one lease."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await self.store.run(functools.partial(self._renew, ids=list(left), now=self.clock.now()))
            except Exception:  # the database is away: the claim may lapse; a job is locked when it runs
                log.warning("due work: renewing the claim on %s jobs failed", len(left), exc_info=True)

    def _renew(self, session: Session, *, ids: list[int], now: datetime) -> None:
        service.renew(session=session, ids=ids, now=now, lease=self.lease)

    def wake(self) -> None:
        """Work due at once was committed (an announcement sent now): tick without waiting."""
        if self._wake is not None:
            self._wake.set()

    async def run_when_woken(self, tick: Callable[[], Awaitable[object]]) -> None:
        """Call `tick` each time `wake` is called (the clock's interval ticks go on beside it)."""
        self._wake = asyncio.Event()
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await tick()
            except Exception:
                log.exception("due work run on wake failed")

    def tick_sync(self) -> int:
        now = self.clock.now()
        ids = self.store.run_sync(functools.partial(self._claim, now=now))
        for job_id in ids:
            self.store.run_sync(functools.partial(self._run_one, job_id=job_id, now=now, release_async=True))
        return len(ids)

    def _claim(self, session: Session, *, now: datetime) -> list[int]:
        return service.claim_due(session=session, now=now, limit=self.batch, lease=self.lease)

    def _run_one(
        self, session: Session, *, job_id: int, now: datetime, release_async: bool = False
    ) -> DueWork | None:
        """One job, one unit of work: a failure rolls back that job alone.

        A job of an async kind is not run here: a detached copy is returned for `_run_async` (or,
        with `release_async`, its claim is given back for an async tick to take).
        """
        job = service.locked(session=session, job_id=job_id)
        if job is None or job.state != DueState.pending or job.due_at > now:
            return None  # run meanwhile by a process that took it over (done, or moved on)
        if job.kind in self.async_handlers:
            if release_async:
                job.claimed_until = None
                return None
            return DueWork.model_validate(job.model_dump())
        handler = self.handlers.get(job.kind)
        if handler is None:
            service.finish(job=job, now=now, note=f"no handler for {job.kind}")
            log.error("due work %s has no handler for kind %r", job.id, job.kind)
            return None
        try:
            with session.begin_nested():
                handler(session, job, now)
                if job.state == DueState.pending and job.due_at <= now:
                    service.finish(job=job, now=now)  # a handler that neither finished nor moved it
        except Exception:
            _failed(job, now=now)
        job.claimed_until = None
        return None

    async def _run_async(self, detached: DueWork, *, now: datetime) -> None:
        """Await an async handler with no session held, then record the outcome in a unit of work."""
        handler = self.async_handlers[detached.kind]
        error: Exception | None = None
        try:
            await handler(detached, now)
        except Exception as exc:
            error = exc
        assert detached.id is not None
        await self.store.run(functools.partial(self._after_async, job_id=detached.id, now=now, error=error))

    def _after_async(self, session: Session, *, job_id: int, now: datetime, error: Exception | None) -> None:
        job = session.get(DueWork, job_id)
        if job is None or job.state != DueState.pending:
            return
        if error is not None:
            _failed(job, now=now, error=error)
        elif job.due_at <= now:  # a handler that moved its own job on (a refresh) keeps it
            service.finish(job=job, now=now)
        job.claimed_until = None


def _failed(job: DueWork, *, now: datetime, error: BaseException | bool = True) -> None:
    """Count a failure and back off or give up; `error` is logged (True: the one being handled)."""
    failures = int(job.payload.get("failures", 0)) + 1
    job.payload = {**job.payload, "failures": failures}
    if failures >= MAX_FAILURES:
        service.finish(job=job, now=now, note="failed; see the log")
        log.error(
            "due work %s (%s) failed %s times; giving up", job.id, job.subject, failures, exc_info=error
        )
    else:
        job.due_at = now + RETRY_AFTER * 2 ** (failures - 1)
        log.error("due work %s (%s) failed; retrying at %s", job.id, job.subject, job.due_at, exc_info=error)
