"""The ticker's async handlers: a claimed job is handed over detached, with no session held while the
handler awaits, then finished, or retried with the same backoff as a failed sync handler."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from bot.ports import FixedClock
from bot.schedule import service
from bot.schedule.clock import start_ticking
from bot.schedule.models import DueState, DueWork
from bot.schedule.ticker import RETRY_AFTER, Ticker
from bot.store.db import Store


def add_job(store: Store, now: datetime, kind: str = "test.async") -> int:
    def work(session: Session) -> int:
        job = service.upsert(session=session, kind=kind, subject=f"{kind}:1", due_at=now, now=now)
        assert job.id is not None
        return job.id

    return store.run_sync(work)


def job(store: Store, job_id: int) -> DueWork:
    def work(session: Session) -> DueWork:
        found = session.get(DueWork, job_id)
        assert found is not None
        session.expunge(found)
        return found

    return store.run_sync(work)


async def test_an_async_handler_gets_a_detached_job_and_it_is_finished_after(
    store: Store, clock: FixedClock
) -> None:
    seen: list[tuple[str, bool]] = []

    async def handler(due: DueWork, now: datetime) -> None:
        seen.append((due.kind, due.state == DueState.pending))
        # the job's own unit of work is over: another one can change the row meanwhile
        await store.run(lambda session: session.get(DueWork, due.id))

    ticker = Ticker(store=store, clock=clock, handlers={}, async_handlers={"test.async": handler})
    job_id = add_job(store, clock.now())
    assert await ticker.tick() == 1
    assert seen == [("test.async", True)]
    done = job(store, job_id)
    assert done.state == DueState.done and done.claimed_until is None
    assert await ticker.tick() == 0


async def test_a_failing_async_handler_is_retried_with_backoff(store: Store, clock: FixedClock) -> None:
    async def handler(_due: DueWork, _now: datetime) -> None:
        raise RuntimeError("the platform is down")

    ticker = Ticker(store=store, clock=clock, handlers={}, async_handlers={"test.async": handler})
    job_id = add_job(store, clock.now())
    assert await ticker.tick() == 1
    retried = job(store, job_id)
    assert retried.state == DueState.pending and retried.payload == {"failures": 1}
    assert retried.due_at == clock.now() + RETRY_AFTER
    clock.advance(minutes=5)
    await ticker.tick()
    assert job(store, job_id).due_at == clock.now() + RETRY_AFTER * 2


def test_a_sync_tick_leaves_async_work_for_an_async_tick(store: Store, clock: FixedClock) -> None:
    async def handler(_due: DueWork, _now: datetime) -> None:
        pytest.fail("not run by tick_sync")

    ticker = Ticker(store=store, clock=clock, handlers={}, async_handlers={"test.async": handler})
    job_id = add_job(store, clock.now())
    ticker.tick_sync()
    left = job(store, job_id)
    assert left.state == DueState.pending and left.claimed_until is None
    assert left.due_at <= clock.now() + timedelta(seconds=1)


async def test_shutdown_during_a_tick_is_not_logged_as_a_job_error(caplog: pytest.LogCaptureFixture) -> None:
    started = asyncio.Event()

    async def slow_tick() -> None:
        started.set()
        await asyncio.sleep(30)

    scheduler = start_ticking({"due-work": (slow_tick, 0.01)})
    await asyncio.wait_for(started.wait(), 5)
    with caplog.at_level(logging.INFO):
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0.05)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "due-work stopped by shutdown" in caplog.text


async def test_a_long_async_job_holds_up_no_job_after_it(store: Store, clock: FixedClock) -> None:
    """The rollout bench's "send now" waited 9 s: the directory's pages (an async job) ran first in the
    batch and the announcement's fan-out after it. Async jobs run beside the batch."""
    release = asyncio.Event()
    ran: list[str] = []

    async def slow(_due: DueWork, _now: datetime) -> None:
        await release.wait()
        ran.append("slow")

    def fast(_session: Session, _due: DueWork, _now: datetime) -> None:
        ran.append("fast")

    ticker = Ticker(
        store=store, clock=clock, handlers={"test.fast": fast}, async_handlers={"test.async": slow}
    )
    slow_id = add_job(store, clock.now())
    fast_id = add_job(store, clock.now(), kind="test.fast")
    assert await ticker.tick(wait=False) == 2
    assert ran == ["fast"] and job(store, fast_id).state == DueState.done
    assert job(store, slow_id).state == DueState.pending
    assert await ticker.tick(wait=False) == 0  # still running here: not claimed again
    release.set()
    await ticker.settle()
    assert ran == ["fast", "slow"] and job(store, slow_id).state == DueState.done
