from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.runtime import Runtime, seed_housekeeping
from bot.audit import service
from bot.audit.hooks import PRUNE
from bot.audit.models import ProcessedEvent
from bot.ports import FixedClock
from bot.schedule import service as schedule


async def test_old_event_keys_are_pruned_daily(runtime: Runtime, clock: FixedClock) -> None:
    old, recent = clock.now(), clock.now() + timedelta(days=2, hours=12)
    runtime.store.run_sync(lambda s: service.first_time(session=s, key="slack:old", at=old))
    runtime.store.run_sync(lambda s: service.first_time(session=s, key="slack:recent", at=recent))
    seed_housekeeping(store=runtime.store, clock=runtime.clock)  # a second start-up adds nothing

    clock.advance(days=3)
    assert await runtime.run_due_work() >= 1
    keys = runtime.store.run_sync(lambda s: [e.key for e in s.exec(select(ProcessedEvent)).all()])
    assert keys == ["slack:recent"]
    job = runtime.store.run_sync(lambda s: schedule.by_subject(session=s, subject=PRUNE))
    assert job is not None and job.due_at == clock.now() + timedelta(days=1)
