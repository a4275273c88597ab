"""Drains due outbox rows through the platform senders.

A claimed batch is sent, then every outcome is recorded in one unit of work. A process that dies
between the two leaves its rows "sending"; after the lease they are claimed again, so a crash repeats
each message at most once. `Delivery.attempt` tells a sender that a row was tried before: a sender
that can look back on the platform (Slack, by message metadata) skips what already arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from bot.messages import load_message
from bot.metrics import OUTBOX, THROTTLED
from bot.outbox import service
from bot.outbox.models import OutboxMessage, OutboxState
from bot.outbox.pacing import TokenBucket
from bot.ports import Clock, Delivery, PermanentFailure, RetryLater, Sender, Sent, Unreachable
from bot.store.db import Store

log = logging.getLogger(__name__)

AfterSent = Callable[[Session, OutboxMessage, str], None]


@dataclass(frozen=True)
class Outcome:
    row_id: int
    platform: str
    sent: Sent | None = None
    retry_after: float | None = None
    final: OutboxState | None = None
    error: str = ""


class Dispatcher:
    def __init__(
        self,
        *,
        store: Store,
        senders: Mapping[str, Sender],
        clock: Clock,
        after_sent: Mapping[str, AfterSent] | None = None,
        batch: int = 50,
        concurrency: int = 8,
        pace: Mapping[str, float] | None = None,
        lease: timedelta = service.LEASE,
    ) -> None:
        self.store = store
        self.senders = dict(senders)
        self.clock = clock
        self.after_sent = dict(after_sent or {})
        self.batch = batch
        self.lease = lease
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.buckets = {platform: TokenBucket(rate=rate) for platform, rate in (pace or {}).items()}
        self._limit = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()

    def pace(self, platform: str, per_second: float) -> None:
        """Keep sends to `platform` under `per_second` (an adapter sets its platform's published rate)."""
        self.buckets[platform] = TokenBucket(rate=per_second)

    def wake(self) -> None:
        """New rows were committed: drain soon instead of at the next tick."""
        self._wake.set()

    async def drain_once(self) -> int:
        """Claim a batch, send it, then record every outcome in one unit of work."""
        now = self.clock.now()
        rows = await self.store.run(
            lambda s: [
                _detach(s, r)
                for r in service.claim_due(
                    session=s, now=now, worker=self.worker, limit=self.batch, lease=self.lease
                )
            ]
        )
        if rows:
            outcomes = await asyncio.gather(*(self._deliver(row) for row in rows))
            await self.store.run(lambda s: self._record(s, outcomes))
        return len(rows)

    async def drain(self) -> int:
        total = 0
        while (n := await self.drain_once()) > 0:
            total += n
        return total

    async def run_forever(self, *, idle_seconds: float = 1.0) -> None:
        while True:
            try:
                await self.drain()
            except Exception:
                log.exception("outbox drain failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):  # not wait_for: on 3.11 it can swallow a cancel
                async with asyncio.timeout(idle_seconds):
                    await self._wake.wait()

    async def _deliver(self, row: OutboxMessage) -> Outcome:
        assert row.id is not None
        outcome = functools.partial(Outcome, row.id, row.platform)
        sender = self.senders.get(row.platform)
        if sender is None:
            return outcome(final=OutboxState.dead, error=f"no sender for platform {row.platform!r}")
        async with self._limit:
            bucket = self.buckets.get(row.platform)
            try:
                update_id = await self._update_target(row)
                if bucket is not None:
                    await bucket.acquire()
                sent = await sender.send(
                    Delivery(
                        address=row.address,
                        message=load_message(row.payload),
                        idempotency_key=row.idempotency_key,
                        thread_id=row.thread_id,
                        update_message_id=update_id,
                        attempt=row.attempts,
                    )
                )
            except RetryLater as exc:
                if exc.throttled:
                    THROTTLED.labels(row.platform, "outbox").inc()
                if bucket is not None and exc.after_seconds:
                    bucket.penalise(exc.after_seconds)
                return outcome(
                    retry_after=exc.after_seconds if exc.after_seconds is not None else -1, error=str(exc)
                )
            except Unreachable as exc:
                return outcome(final=OutboxState.unreachable, error=str(exc) or "unreachable")
            except PermanentFailure as exc:
                return outcome(final=OutboxState.dead, error=str(exc))
            except Exception as exc:
                log.warning("send failed for outbox row %s", row.id, exc_info=True)
                return outcome(retry_after=-1, error=f"{type(exc).__name__}: {exc}")
            return outcome(sent=sent)

    async def _update_target(self, row: OutboxMessage) -> str | None:
        if not row.update_of_key:
            return None
        key = row.update_of_key
        target = await self.store.run(lambda s: _target_message_id(s, key))
        if target is None:
            raise RetryLater(f"the message to update ({key}) is not sent yet", after_seconds=2)
        return target

    def _record(self, session: Session, outcomes: Sequence[Outcome]) -> None:
        now = self.clock.now()
        sent = [o for o in outcomes if o.sent is not None]
        service.mark_all_sent(
            session=session,
            sent=[(o.row_id, o.sent.message_id, o.sent.thread_id) for o in sent if o.sent is not None],
            now=now,
        )
        for outcome in sent:
            OUTBOX.labels(outcome.platform, "sent").inc()
        for row in service.with_after_sent(session=session, row_ids=[o.row_id for o in sent]):
            self._after_sent(session, row)
        for outcome in outcomes:
            if outcome.final is not None:
                service.mark_final(
                    session=session, row_id=outcome.row_id, state=outcome.final, error=outcome.error
                )
                OUTBOX.labels(outcome.platform, str(outcome.final)).inc()
            elif outcome.sent is None:
                after = (
                    outcome.retry_after
                    if outcome.retry_after is not None and outcome.retry_after >= 0
                    else None
                )
                service.mark_retry(
                    session=session, row_id=outcome.row_id, now=now, error=outcome.error, after_seconds=after
                )
                OUTBOX.labels(outcome.platform, "retry").inc()

    def _after_sent(self, session: Session, row: OutboxMessage) -> None:
        assert row.after_sent is not None
        name, _, argument = row.after_sent.partition(":")
        handler = self.after_sent.get(name)
        if handler is None:
            log.error("no after-sent handler %r for outbox row %s", name, row.id)
            return
        with session.begin_nested():
            handler(session, row, argument)


def _detach(session: Session, row: OutboxMessage) -> OutboxMessage:
    session.flush()
    session.expunge(row)
    return row


def _target_message_id(session: Session, key: str) -> str | None:
    target = service.by_key(session=session, key=key)
    return target.platform_message_id if target is not None else None
