from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import Session, select

from bot.messages import text_message
from bot.outbox import service
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.models import OutboxMessage, OutboxState
from bot.ports import FixedClock, Outgoing, PermanentFailure, RetryLater, Sent, Unreachable
from bot.store.db import Store


class RecordingSender:
    """A sender that records deliveries and fails on demand."""

    platform = "local"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.failures: list[Exception] = []

    async def send(self, outgoing: Outgoing) -> Sent:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(outgoing)
        return Sent(message_id=f"m{len(self.sent)}", thread_id=f"t{len(self.sent)}")


def _enqueue(store: Store, clock: FixedClock, key: str, **kw: object) -> None:
    store.run_sync(
        lambda s: service.enqueue(
            session=s,
            key=key,
            platform="local",
            address={"user": "u"},
            message=text_message(key),
            now=clock.now(),
            **kw,  # type: ignore[arg-type]
        )
    )


def _rows(store: Store) -> list[OutboxMessage]:
    return store.run_sync(lambda s: list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()))


def test_enqueue_is_idempotent_by_key(store: Store, clock: FixedClock) -> None:
    _enqueue(store, clock, "k1")
    _enqueue(store, clock, "k1")
    assert len(_rows(store)) == 1


async def test_dispatcher_sends_and_records_platform_ids(store: Store, clock: FixedClock) -> None:
    sender = RecordingSender()
    _enqueue(store, clock, "a")
    _enqueue(store, clock, "b", not_before=clock.now() + timedelta(hours=1))
    dispatcher = Dispatcher(store=store, senders={"local": sender}, clock=clock)
    assert await dispatcher.drain() == 1
    assert [d.idempotency_key for d in sender.sent] == ["a"]
    first = _rows(store)[0]
    assert first.state == OutboxState.sent and first.platform_message_id == "m1"
    clock.advance(hours=1)
    await dispatcher.drain()
    assert [d.idempotency_key for d in sender.sent] == ["a", "b"]


async def test_retry_after_then_dead_letter(store: Store, clock: FixedClock) -> None:
    sender = RecordingSender()
    sender.failures = [RetryLater("rate limited", after_seconds=30)]
    _enqueue(store, clock, "a")
    dispatcher = Dispatcher(store=store, senders={"local": sender}, clock=clock)
    await dispatcher.drain()
    row = _rows(store)[0]
    assert row.state == OutboxState.pending
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)
    sender.failures = [RuntimeError("boom")] * service.MAX_ATTEMPTS
    for _ in range(service.MAX_ATTEMPTS):
        clock.advance(hours=1)
        await dispatcher.drain()
    row = _rows(store)[0]
    assert row.state == OutboxState.dead
    assert "boom" in (row.last_error or "")
    assert sender.sent == []


async def test_unreachable_and_permanent_failures_are_kept_visible(store: Store, clock: FixedClock) -> None:
    sender = RecordingSender()
    sender.failures = [Unreachable("never installed"), PermanentFailure("invalid_auth")]
    _enqueue(store, clock, "a")
    _enqueue(store, clock, "b")
    dispatcher = Dispatcher(store=store, senders={"local": sender}, clock=clock, concurrency=1)
    await dispatcher.drain()
    states = sorted(r.state for r in _rows(store))
    assert states == sorted([OutboxState.unreachable, OutboxState.dead])
    dead = store.run_sync(lambda s: service.listing(session=s, states=[OutboxState.dead]))
    assert len(dead) == 1
    assert store.run_sync(lambda s: service.retry_now(session=s, row_id=dead[0].id or 0, now=clock.now()))
    await dispatcher.drain()
    assert len(sender.sent) == 1


async def test_an_orphaned_row_is_claimed_again_after_the_lease(store: Store, clock: FixedClock) -> None:
    _enqueue(store, clock, "a")
    claimed = store.run_sync(lambda s: service.claim_due(session=s, now=clock.now(), worker="dead-process"))
    assert len(claimed) == 1
    sender = RecordingSender()
    dispatcher = Dispatcher(store=store, senders={"local": sender}, clock=clock)
    assert await dispatcher.drain() == 0
    clock.advance(seconds=service.LEASE.total_seconds() + 1)
    assert await dispatcher.drain() == 1
    assert len(sender.sent) == 1


async def test_update_waits_for_the_message_it_replaces(store: Store, clock: FixedClock) -> None:
    sender = RecordingSender()
    _enqueue(store, clock, "status:v2", update_of_key="status:v1")
    dispatcher = Dispatcher(store=store, senders={"local": sender}, clock=clock)
    await dispatcher.drain()
    assert sender.sent == []
    _enqueue(store, clock, "status:v1")
    for _ in range(2):  # the update waits until the message it replaces is recorded as sent
        clock.advance(seconds=5)
        await dispatcher.drain()
    assert [d.update_message_id for d in sender.sent] == [None, "m1"]


async def test_after_sent_handler_runs_in_the_marking_unit_of_work(store: Store, clock: FixedClock) -> None:
    seen: list[tuple[str, str | None]] = []

    def remember(session: Session, row: OutboxMessage, argument: str) -> None:
        seen.append((argument, row.platform_thread_id))

    _enqueue(store, clock, "card", after_sent="remember:42")
    dispatcher = Dispatcher(
        store=store, senders={"local": RecordingSender()}, clock=clock, after_sent={"remember": remember}
    )
    await dispatcher.drain()
    assert seen == [("42", "t1")]


async def test_concurrent_workers_never_claim_the_same_row(store: Store, clock: FixedClock) -> None:
    for i in range(60):
        _enqueue(store, clock, f"k{i}")

    async def claim(worker: str) -> list[int]:
        rows = await store.run(
            lambda s: service.claim_due(session=s, now=clock.now(), worker=worker, limit=25)
        )
        return [r.id or 0 for r in rows]

    results = await asyncio.gather(*(claim(f"w{i}") for i in range(4)))
    ids = [i for r in results for i in r]
    assert len(ids) == len(set(ids)) == 60
