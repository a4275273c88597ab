"""Drains due outbox rows through the platform senders.

A claimed row is sent, then marked in its own unit of work. A process that dies between the two
leaves the row "sending"; after the lease it is claimed again, so a crash repeats at most one message
per row (senders that can look back, like Slack's, avoid even that).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Mapping

from sqlmodel import Session

from bot.messages import load_message
from bot.metrics import OUTBOX
from bot.outbox import service
from bot.outbox.models import OutboxMessage, OutboxState
from bot.ports import Clock, Delivery, PermanentFailure, RetryLater, Sender, Sent, Unreachable
from bot.store.db import Store

log = logging.getLogger(__name__)

AfterSent = Callable[[Session, OutboxMessage, str], None]


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
    ) -> None:
        self.store = store
        self.senders = dict(senders)
        self.clock = clock
        self.after_sent = dict(after_sent or {})
        self.batch = batch
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._limit = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New rows were committed: drain soon instead of at the next tick."""
        self._wake.set()

    async def drain_once(self) -> int:
        now = self.clock.now()
        rows = await self.store.run(
            lambda s: [
                _detach(s, r)
                for r in service.claim_due(session=s, now=now, worker=self.worker, limit=self.batch)
            ]
        )
        if rows:
            await asyncio.gather(*(self._deliver(row) for row in rows))
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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=idle_seconds)

    async def _deliver(self, row: OutboxMessage) -> None:
        assert row.id is not None
        row_id = row.id
        sender = self.senders.get(row.platform)
        if sender is None:
            await self._finish(row_id, OutboxState.dead, f"no sender for platform {row.platform!r}")
            return
        async with self._limit:
            try:
                update_id = await self._update_target(row)
                sent = await sender.send(
                    Delivery(
                        address=row.address,
                        message=load_message(row.payload),
                        idempotency_key=row.idempotency_key,
                        thread_id=row.thread_id,
                        update_message_id=update_id,
                    )
                )
            except RetryLater as exc:
                await self._retry(row_id, str(exc), exc.after_seconds)
            except Unreachable as exc:
                await self._finish(row_id, OutboxState.unreachable, str(exc) or "unreachable")
            except PermanentFailure as exc:
                await self._finish(row_id, OutboxState.dead, str(exc))
            except Exception as exc:
                log.warning("send failed for outbox row %s", row_id, exc_info=True)
                await self._retry(row_id, f"{type(exc).__name__}: {exc}", None)
            else:
                await self._sent(row_id, sent)
                OUTBOX.labels(row.platform, "sent").inc()

    async def _update_target(self, row: OutboxMessage) -> str | None:
        if not row.update_of_key:
            return None
        key = row.update_of_key
        target = await self.store.run(lambda s: _target_message_id(s, key))
        if target is None:
            raise RetryLater(f"the message to update ({key}) is not sent yet", after_seconds=2)
        return target

    async def _sent(self, row_id: int, sent: Sent) -> None:
        now = self.clock.now()

        def work(session: Session) -> None:
            row = service.mark_sent(
                session=session, row_id=row_id, now=now, message_id=sent.message_id, thread_id=sent.thread_id
            )
            if row is not None and row.after_sent:
                name, _, argument = row.after_sent.partition(":")
                handler = self.after_sent.get(name)
                if handler is None:
                    log.error("no after-sent handler %r for outbox row %s", name, row_id)
                else:
                    handler(session, row, argument)

        await self.store.run(work)

    async def _retry(self, row_id: int, error: str, after: float | None) -> None:
        now = self.clock.now()
        await self.store.run(
            lambda s: service.mark_retry(session=s, row_id=row_id, now=now, error=error, after_seconds=after)
        )

    async def _finish(self, row_id: int, state: OutboxState, error: str) -> None:
        OUTBOX.labels("any", str(state)).inc()
        await self.store.run(lambda s: service.mark_final(session=s, row_id=row_id, state=state, error=error))


def _detach(session: Session, row: OutboxMessage) -> OutboxMessage:
    session.flush()
    session.expunge(row)
    return row


def _target_message_id(session: Session, key: str) -> str | None:
    target = service.by_key(session=session, key=key)
    return target.platform_message_id if target is not None else None
