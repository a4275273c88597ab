"""Sending under a platform's quota: one schedule shared by every process, pauses on 429 that kill no
row, and rows sent independently (a hanging send holds up nobody else)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from sqlmodel import select

from bot.messages import text_message
from bot.outbox import service
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.models import OutboxMessage, OutboxState
from bot.outbox.pace import MAX_PAUSE, RESERVE_SECONDS, Pacer, Quota, retry_after_seconds
from bot.ports import FixedClock, Outgoing, RetryLater, Sent
from bot.store.db import Store

QUOTA = Quota("slack:T1:chat.postMessage", rate=10.0)


class Wall:
    """A wall clock for pacers that moves only when a send waits for its moment (no real sleeping)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.moments: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds

    def pacer(self, store: Store | None) -> Pacer:
        return Pacer(store, wall=self, sleep=self.sleep)


async def sends(pacer: Pacer, wall: Wall, n: int) -> None:
    for _ in range(n):
        await pacer.acquire(QUOTA)
        wall.moments.append(wall.now)


def most_in_a_second(moments: list[float]) -> int:
    ordered = sorted(moments)
    return max(sum(1 for m in ordered if start <= m < start + 1.0) for start in ordered)


async def test_two_processes_together_stay_within_one_quota(store: Store) -> None:
    wall = Wall()
    first, second = wall.pacer(store), wall.pacer(store)  # two processes: their own memory, one database
    await asyncio.gather(sends(first, wall, 60), sends(second, wall, 60))
    assert len(wall.moments) == 120
    assert most_in_a_second(wall.moments) <= QUOTA.rate + 1  # not 2 x the quota


async def test_a_429_pauses_the_quota_for_every_process_then_resumes_slower(store: Store) -> None:
    wall = Wall()
    first, second = wall.pacer(store), wall.pacer(store)
    await sends(second, wall, 1)
    refused_at = wall.now
    assert await first.refused(QUOTA, 30) == 30
    await sends(second, wall, 30)  # the other process learns of the pause at its next reservation
    during = [m for m in wall.moments if refused_at < m < refused_at + 30]
    assert len(during) <= QUOTA.rate * RESERVE_SECONDS  # at most what it had reserved already
    after = [m for m in wall.moments if m >= refused_at + 30]
    assert most_in_a_second(after) <= QUOTA.rate * 0.8 + 1  # resumed at 80% of the refused rate


def test_retry_after_is_capped_and_nonsense_is_read_as_a_second() -> None:
    assert retry_after_seconds("30") == 30
    assert retry_after_seconds(str(10**9)) == MAX_PAUSE
    assert retry_after_seconds("-5") == retry_after_seconds("soon") == retry_after_seconds("nan") == 1.0


class StormSender:
    """Answers 429 (Retry-After 30) until told otherwise; one address never answers at all."""

    platform = "slack"

    def __init__(self) -> None:
        self.storm = True
        self.sent: list[str] = []
        self.hanging = asyncio.Event()
        self.delivered = asyncio.Event()

    async def send(self, outgoing: Outgoing) -> Sent:
        if outgoing.address.get("channel") == "C-hangs":
            self.hanging.set()
            await asyncio.Event().wait()
        if self.storm:
            raise RetryLater("Slack rate limit (ratelimited)", after_seconds=30, throttled=True)
        self.sent.append(outgoing.idempotency_key)
        self.delivered.set()
        return Sent(message_id=outgoing.idempotency_key)


def enqueue(store: Store, clock: FixedClock, key: str, address: Mapping[str, Any], **kw: Any) -> None:
    store.run_sync(
        lambda s: service.enqueue(
            session=s,
            key=key,
            platform="slack",
            address=address,
            message=text_message(key),
            now=clock.now(),
            **kw,
        )
    )


def rows(store: Store) -> list[OutboxMessage]:
    return store.run_sync(lambda s: list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()))


async def test_a_429_storm_kills_no_row(store: Store, clock: FixedClock) -> None:
    sender = StormSender()
    for n in range(5):
        enqueue(store, clock, f"k{n}", {"team": "T1", "channel": f"D{n}"})
    dispatcher = Dispatcher(store=store, senders={"slack": sender}, clock=clock)
    for _ in range(3 * service.MAX_ATTEMPTS):  # far more refusals than a row has tries
        await dispatcher.drain()
        clock.advance(seconds=31)
    assert {(r.state, r.attempts) for r in rows(store)} == {(OutboxState.pending, 0)}
    sender.storm = False
    await dispatcher.drain()
    assert sorted(sender.sent) == [f"k{n}" for n in range(5)]
    assert all(not r.unsure for r in rows(store))  # a definite refusal posted nothing: no look-back


async def test_a_hanging_send_does_not_delay_another_conversations_message(
    store: Store, clock: FixedClock
) -> None:
    sender = StormSender()
    sender.storm = False
    enqueue(store, clock, "stuck", {"team": "T1", "channel": "C-hangs"})
    enqueue(store, clock, "critical", {"team": "T1", "channel": "C-healthy"}, critical=True, priority=90)
    dispatcher = Dispatcher(store=store, senders={"slack": sender}, clock=clock, send_timeout=3600)
    running = asyncio.create_task(dispatcher.run_forever())
    try:
        async with asyncio.timeout(30):
            await sender.hanging.wait()
            await sender.delivered.wait()
        assert sender.sent == ["critical"]
        for _ in range(1000):  # recorded just after the platform answered
            states = {r.idempotency_key: r.state for r in rows(store)}
            if states["critical"] == OutboxState.sent:
                break
            await asyncio.sleep(0.01)
        assert states == {"stuck": OutboxState.sending, "critical": OutboxState.sent}
    finally:
        running.cancel()


async def test_a_send_over_its_time_limit_is_retried_with_a_look_back(
    store: Store, clock: FixedClock
) -> None:
    sender = StormSender()
    enqueue(store, clock, "stuck", {"team": "T1", "channel": "C-hangs"})
    dispatcher = Dispatcher(store=store, senders={"slack": sender}, clock=clock, send_timeout=0.05)
    await dispatcher.drain_once()
    (row,) = rows(store)
    assert row.state == OutboxState.pending and row.unsure and row.attempts == 1


async def test_the_drain_loop_backs_off_while_the_database_is_down(store: Store, clock: FixedClock) -> None:
    dispatcher = Dispatcher(store=store, senders={}, clock=clock)
    claims = 0

    async def down(limit: int) -> list[OutboxMessage]:
        nonlocal claims
        claims += 1
        raise ConnectionError("the database does not answer")

    waits: list[float] = []

    async def rest(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 6:
            raise asyncio.CancelledError

    dispatcher._claim = down  # type: ignore[method-assign]
    dispatcher._rest = rest  # type: ignore[method-assign]
    with contextlib.suppress(asyncio.CancelledError):
        await dispatcher.run_forever(idle_seconds=1.0)
    assert waits == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0]  # not a try (and a log line) every second
