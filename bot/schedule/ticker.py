"""Claims due work and runs the handler registered for each kind, in one unit of work per batch."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.ports import Clock
from bot.schedule import service
from bot.schedule.models import DueState, DueWork
from bot.store.db import Store

log = logging.getLogger(__name__)

Handler = Callable[[Session, DueWork, datetime], None]
MAX_FAILURES = 5
RETRY_AFTER = timedelta(minutes=5)


class Ticker:
    def __init__(
        self, *, store: Store, clock: Clock, handlers: Mapping[str, Handler], batch: int = 200
    ) -> None:
        self.store = store
        self.clock = clock
        self.handlers = dict(handlers)
        self.batch = batch

    async def tick(self) -> int:
        """Run everything due now; returns how many jobs ran."""
        total = 0
        while True:
            now = self.clock.now()
            ids = await self.store.run(functools.partial(self._claim, now=now))
            for job_id in ids:
                await self.store.run(functools.partial(self._run_one, job_id=job_id, now=now))
            total += len(ids)
            if len(ids) < self.batch:
                return total

    def tick_sync(self) -> int:
        now = self.clock.now()
        ids = self.store.run_sync(functools.partial(self._claim, now=now))
        for job_id in ids:
            self.store.run_sync(functools.partial(self._run_one, job_id=job_id, now=now))
        return len(ids)

    def _claim(self, session: Session, *, now: datetime) -> list[int]:
        return service.claim_due(session=session, now=now, limit=self.batch)

    def _run_one(self, session: Session, *, job_id: int, now: datetime) -> None:
        """One job, one unit of work: a failure rolls back that job alone."""
        job = session.get(DueWork, job_id)
        if job is None or job.state != DueState.pending:
            return
        handler = self.handlers.get(job.kind)
        if handler is None:
            service.finish(job=job, now=now, note=f"no handler for {job.kind}")
            log.error("due work %s has no handler for kind %r", job.id, job.kind)
            return
        try:
            with session.begin_nested():
                handler(session, job, now)
                if job.state == DueState.pending and job.due_at <= now:
                    service.finish(job=job, now=now)  # a handler that neither finished nor moved it
        except Exception:
            failures = int(job.payload.get("failures", 0)) + 1
            job.payload = {**job.payload, "failures": failures}
            if failures >= MAX_FAILURES:
                service.finish(job=job, now=now, note="failed; see the log")
                log.exception("due work %s (%s) failed %s times; giving up", job.id, job.subject, failures)
            else:
                job.due_at = now + RETRY_AFTER * 2 ** (failures - 1)
                log.exception("due work %s (%s) failed; retrying at %s", job.id, job.subject, job.due_at)
        job.claimed_until = None
