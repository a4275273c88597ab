"""The due-work lease: a job held by a process that died is run by another after one short lease, while
a process still working through its batch keeps its claim (issue 15: a killed process held a fan-out's
next chunk for five minutes)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.ports import FixedClock
from bot.schedule import service
from bot.schedule.models import DueState, DueWork
from bot.schedule.ticker import Ticker
from bot.store.db import Store
from tests.test_ticker_async import add_job, job


async def test_a_job_held_by_a_process_that_died_is_run_after_one_lease(
    store: Store, clock: FixedClock
) -> None:
    ran: list[int] = []

    def handler(_session: Session, due: DueWork, _now: datetime) -> None:
        assert due.id is not None
        ran.append(due.id)

    job_id = add_job(store, clock.now(), kind="test.sync")
    # Another process claimed it and died before running it.
    store.run_sync(lambda session: service.claim_due(session=session, now=clock.now()))
    ticker = Ticker(store=store, clock=clock, handlers={"test.sync": handler})
    assert await ticker.tick() == 0
    clock.advance(seconds=service.LEASE.total_seconds() + 1)
    assert await ticker.tick() == 1
    assert ran == [job_id] and job(store, job_id).state == DueState.done


async def claimed_until(store: Store, job_id: int) -> datetime | None:
    """Read on the store's own path (a blocking read from the loop would wait on SQLite's writer)."""
    return await store.run(
        lambda session: session.exec(select(DueWork.claimed_until).where(DueWork.id == job_id)).one()
    )


async def test_a_working_process_renews_its_claim(store: Store, clock: FixedClock) -> None:
    release = asyncio.Event()

    async def slow(_due: DueWork, _now: datetime) -> None:
        await release.wait()

    lease = timedelta(seconds=0.03)  # renewed every 10 ms of real time, at the (moved) fixed clock
    working = Ticker(store=store, clock=clock, handlers={}, async_handlers={"test.async": slow}, lease=lease)
    other = Ticker(store=store, clock=clock, handlers={}, async_handlers={"test.async": slow}, lease=lease)
    job_id = add_job(store, clock.now())
    running = asyncio.create_task(working.tick())
    for _ in range(500):  # until the working ticker holds it
        if await claimed_until(store, job_id) is not None:
            break
        await asyncio.sleep(0.01)
    clock.advance(minutes=10)  # long past the first claim
    for _ in range(500):  # until the renewal has caught up with the clock
        claimed = await claimed_until(store, job_id)
        if claimed is not None and claimed > clock.now():
            break
        await asyncio.sleep(0.01)
    assert claimed is not None and claimed > clock.now()
    assert await other.tick() == 0  # still the working process's
    release.set()
    assert await running == 1
    assert job(store, job_id).state == DueState.done


async def test_a_lapsed_claim_is_not_run_again_by_the_same_process(store: Store, clock: FixedClock) -> None:
    release = asyncio.Event()
    runs: list[int] = []

    async def slow(due: DueWork, _now: datetime) -> None:
        assert due.id is not None
        runs.append(due.id)
        await release.wait()

    ticker = Ticker(store=store, clock=clock, handlers={}, async_handlers={"test.async": slow})
    job_id = add_job(store, clock.now())
    running = asyncio.create_task(ticker.tick())  # the clock's tick
    for _ in range(500):
        if runs:
            break
        await asyncio.sleep(0.01)
    clock.advance(minutes=10)  # its claim lapsed (a starved loop renews late)
    assert await ticker.tick() == 0  # a wake's tick claims it again, and leaves it to the one running it
    release.set()
    assert await running == 1
    assert runs == [job_id] and job(store, job_id).state == DueState.done
