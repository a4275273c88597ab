"""Drains due outbox rows through the platform senders.

Each claimed row is sent and its outcome recorded on its own, so one slow send holds up nobody else
(no batch waits for its slowest row), and every send has a time limit. A process that dies between
send and record leaves its rows "sending"; after the lease they are claimed again marked `unsure`, and
a sender that can look back on the platform (Slack, by message metadata) does so before sending again:
only then, since a definite refusal posted nothing. A rate limit (HTTP 429) is not an attempt: the row
waits out the pause and keeps its tries; the pause itself is shared through `bot.outbox.pace`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.messages import load_message
from bot.metrics import OUTBOX, THROTTLED
from bot.outbox import service
from bot.outbox.models import OutboxMessage, OutboxState
from bot.outbox.pace import retry_after_seconds
from bot.ports import Clock, Outgoing, PermanentFailure, RetryLater, Sender, Sent, Unreachable
from bot.store.db import Store

log = logging.getLogger(__name__)

AfterSent = Callable[[Session, OutboxMessage, str], None]
# A sender learned a better address for a row's recipient (Slack: the DM's channel id): the composition
# root stores it where the person's identity is kept; the outbox moves their waiting rows itself.
Readdressed = Callable[[Session, OutboxMessage, Mapping[str, Any]], None]
SEND_TIMEOUT = 30.0  # seconds for one platform call (the shared aiohttp session has no limit of its own)
DOWN_BACKOFF_CAP = 60.0  # seconds between tries while the database does not answer


@dataclass(frozen=True)
class Outcome:
    row_id: int
    platform: str
    sent: Sent | None = None
    retry_after: float | None = None
    final: OutboxState | None = None
    error: str = ""
    throttled: bool = False  # a rate limit: not an attempt
    unsure: bool = False  # it may have been delivered (timed out, cut off): look back before resending
    pauses_platform: bool = False  # a rate limit on more than its conversation: leave the platform's rows


class Dispatcher:
    def __init__(
        self,
        *,
        store: Store,
        senders: Mapping[str, Sender],
        clock: Clock,
        after_sent: Mapping[str, AfterSent] | None = None,
        batch: int = 50,
        concurrency: int = 32,
        lease: timedelta = service.LEASE,
        send_timeout: float = SEND_TIMEOUT,
        readdressed: Readdressed | None = None,
    ) -> None:
        self.store = store
        self.senders = dict(senders)
        self.clock = clock
        self.after_sent = dict(after_sent or {})
        self.batch = batch
        self.lease = lease
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.concurrency = concurrency
        self.send_timeout = send_timeout
        self.readdressed = readdressed
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._more = False
        self._paused: dict[str, datetime] = {}  # platform -> until when its rows are left unclaimed

    def wake(self) -> None:
        """New rows were committed: drain soon instead of at the next tick."""
        self._wake.set()

    async def drain_once(self) -> int:
        """Claim a batch and send it, each row recorded as it finishes; returns how many were claimed."""
        rows = await self._claim(self.batch)
        await asyncio.gather(*(self._send_and_record(row) for row in rows))
        return len(rows)

    async def drain(self) -> int:
        total = 0
        while (n := await self.drain_once()) > 0:
            total += n
        return total

    async def run_forever(self, *, idle_seconds: float = 1.0) -> None:
        """Keep `concurrency` sends going: a row that finishes makes room for the next at once. While
        the database does not answer, wait longer each time (up to a minute) and log it once a minute."""
        down = 0
        while True:
            room = self.concurrency - len(self._in_flight)
            rows: list[OutboxMessage] = []
            if room > 0:
                try:
                    rows = await self._claim(room)
                except Exception:
                    down += 1
                    delay = min(DOWN_BACKOFF_CAP, idle_seconds * 2 ** min(down, 10))
                    if down == 1 or (delay >= DOWN_BACKOFF_CAP and down % 10 == 0):
                        log.exception(
                            "outbox: claiming failed (%s in a row); next try in %.0f s", down, delay
                        )
                    await self._rest(delay)
                    continue
                if down:
                    log.info("outbox: the database answers again after %s failed claims", down)
                    down = 0
            self._more = bool(rows) and len(rows) == room  # a full claim: more may be due
            for row in rows:
                task = asyncio.create_task(self._send_and_record(row))
                self._in_flight.add(task)
                task.add_done_callback(self._finished)
            if self._more and len(self._in_flight) < self.concurrency:
                continue
            self._wake.clear()
            await self._rest(idle_seconds)

    async def _rest(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):  # not wait_for: on 3.11 it can swallow a cancel
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox: recording a send failed", exc_info=task.exception())
        if self._more:  # room for another row, and the last claim left some behind
            self._wake.set()

    async def _claim(self, limit: int) -> list[OutboxMessage]:
        now = self.clock.now()
        paused = [platform for platform, until in self._paused.items() if until > now]
        return await self.store.run(
            lambda s: [
                _detach(s, r)
                for r in service.claim_due(
                    session=s, now=now, worker=self.worker, limit=limit, lease=self.lease, skip=paused
                )
            ]
        )

    async def _send_and_record(self, row: OutboxMessage) -> None:
        outcome = await self._deliver(row)
        if outcome.pauses_platform and outcome.retry_after:
            until = self.clock.now() + timedelta(seconds=outcome.retry_after)
            self._paused[outcome.platform] = max(until, self._paused.get(outcome.platform, until))
        await self.store.run(lambda s: self._record(s, outcome))

    async def _deliver(self, row: OutboxMessage) -> Outcome:
        assert row.id is not None
        outcome = functools.partial(Outcome, row.id, row.platform)
        sender = self.senders.get(row.platform)
        if sender is None:
            return outcome(final=OutboxState.dead, error=f"no sender for platform {row.platform!r}")
        try:
            update_id = await self._update_target(row)
            async with asyncio.timeout(self.send_timeout):
                sent = await sender.send(
                    Outgoing(
                        address=row.address,
                        message=load_message(row.payload),
                        idempotency_key=row.idempotency_key,
                        thread_id=row.thread_id,
                        update_message_id=update_id,
                        attempt=row.attempts,
                        look_back=row.unsure,
                    )
                )
        except RetryLater as exc:
            if exc.throttled:
                THROTTLED.labels(row.platform, "outbox").inc()
            after = (
                retry_after_seconds(exc.after_seconds, default=-1) if exc.after_seconds is not None else -1
            )
            # A look-back that could not be made leaves the row as unsure as it was.
            return outcome(
                retry_after=after,
                error=str(exc),
                throttled=exc.throttled or exc.paced,
                unsure=row.unsure,
                pauses_platform=exc.throttled and not exc.conversation_only,
            )
        except Unreachable as exc:
            return outcome(final=OutboxState.unreachable, error=str(exc) or "unreachable")
        except PermanentFailure as exc:
            return outcome(final=OutboxState.dead, error=str(exc))
        except TimeoutError:
            log.warning(
                "send of outbox row %s took over %.0f s; it may have arrived", row.id, self.send_timeout
            )
            return outcome(retry_after=-1, error=f"no answer within {self.send_timeout:g} s", unsure=True)
        except Exception as exc:
            log.warning("send failed for outbox row %s", row.id, exc_info=True)
            return outcome(retry_after=-1, error=f"{type(exc).__name__}: {exc}", unsure=True)
        return outcome(sent=sent)

    async def _update_target(self, row: OutboxMessage) -> str | None:
        if not row.update_of_key:
            return None
        key = row.update_of_key
        target = await self.store.run(lambda s: _target_message_id(s, key))
        if target is None:
            raise RetryLater(f"the message to update ({key}) is not sent yet", after_seconds=2)
        return target

    def _record(self, session: Session, outcome: Outcome) -> None:
        now = self.clock.now()
        if outcome.sent is not None:
            service.mark_all_sent(
                session=session,
                sent=[(outcome.row_id, outcome.sent.message_id, outcome.sent.thread_id)],
                now=now,
            )
            OUTBOX.labels(outcome.platform, "sent").inc()
            if outcome.sent.address:
                self._readdress(session, outcome.row_id, outcome.sent.address)
            for row in service.with_after_sent(session=session, row_ids=[outcome.row_id]):
                self._after_sent(session, row)
        elif outcome.final is not None:
            service.mark_final(
                session=session, row_id=outcome.row_id, state=outcome.final, error=outcome.error
            )
            OUTBOX.labels(outcome.platform, str(outcome.final)).inc()
        else:
            after = (
                outcome.retry_after if outcome.retry_after is not None and outcome.retry_after >= 0 else None
            )
            service.mark_retry(
                session=session,
                row_id=outcome.row_id,
                now=now,
                error=outcome.error,
                after_seconds=after,
                throttled=outcome.throttled,
                unsure=outcome.unsure,
            )
            OUTBOX.labels(outcome.platform, "throttled" if outcome.throttled else "retry").inc()

    def _readdress(self, session: Session, row_id: int, address: Mapping[str, Any]) -> None:
        row = session.get(OutboxMessage, row_id)
        if row is None:
            return
        if self.readdressed is not None:  # first: it finds the identity by the row's old address
            with session.begin_nested():
                self.readdressed(session, row, address)
        service.readdress(session=session, row=row, address=address)

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
