"""SLA with a controllable clock: reminder inside the owner's hours, then the backup, then admins;
and the SLA frozen at flag time."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.runtime import Runtime, build_runtime
from bot.content import Content, Sla
from bot.escalations.models import Escalation
from bot.ports import FixedClock
from bot.schedule import service as schedule
from tests.escalations.helpers import ADA, BEA, OMAR, UMA, click, escalation, flag, install, meet, submit
from tests.programmes.harness import run_until

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def _working(moment: datetime, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone)
    return local.weekday() < 5 and 9 <= local.hour < 17


async def test_unacknowledged_flag_reminds_the_owner_in_hours_then_moves_to_the_backup_then_admins(
    runtime: Runtime, clock: FixedClock
) -> None:
    sent = install(runtime)
    await meet(runtime, UMA, OMAR, BEA, ADA)
    await flag(runtime, UMA, "The contract renews in March.")  # Monday 09:00 UTC = 04:00 in New York
    row = escalation(runtime)
    # 4 working hours from the start of Omar's day (14:00 UTC): Monday 18:00 UTC.
    assert row.acknowledge_due_at == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert row.answer_due_at == datetime(2026, 11, 24, 22, 0, tzinfo=UTC)

    await run_until(runtime, clock, datetime(2026, 11, 26, 12, 0, tzinfo=UTC))

    (reminder,) = [g for g in sent.to(OMAR.user_id) if "Reminder" in g.text]
    assert _working(reminder.at, NEW_YORK) and reminder.at < row.acknowledge_due_at
    (to_backup,) = [g for g in sent.to(BEA.user_id) if "needs you" in g.text]
    assert to_backup.at >= row.acknowledge_due_at and _working(to_backup.at, LONDON)
    (escalated,) = [g for g in sent.to(UMA.user_id) if "was escalated" in g.text]
    assert "Bea" in escalated.text and "hear back by" in escalated.text
    (to_admins,) = [g for g in sent.to(ADA.user_id) if "missed its answer deadline twice" in g.text]
    assert to_admins.at >= row.answer_due_at
    assert escalation(runtime).breaches == 2


async def test_acknowledged_in_time_means_no_reminder_and_no_backup(
    runtime: Runtime, clock: FixedClock
) -> None:
    sent = install(runtime)
    await meet(runtime, UMA, OMAR, BEA)
    await flag(runtime, UMA, "The contract renews in March.")
    await click(runtime, OMAR, "escalation.ack", "1")
    await run_until(runtime, clock, datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    assert not [g for g in sent.to(OMAR.user_id) if "Reminder" in g.text]
    assert not [g for g in sent.to(BEA.user_id) if "needs you" in g.text]


async def test_editing_the_sla_later_does_not_change_escalations_in_flight(
    runtime: Runtime, clock: FixedClock, content: Content
) -> None:
    await meet(runtime, UMA, OMAR)
    await flag(runtime, UMA, "The contract renews in March.")
    before = escalation(runtime)
    jobs_before = runtime.store.run_sync(
        lambda s: schedule.by_subject(session=s, subject="escalation:1:acknowledge")
    )
    assert jobs_before is not None and jobs_before.due_at == before.acknowledge_due_at

    assistant = content.systems["assistant"]
    faster = assistant.model_copy(update={"sla": Sla(acknowledge_hours=1, answer_hours=2)})
    edited = dataclasses.replace(content, systems={**content.systems, "assistant": faster})
    clock.advance(hours=1)
    later = build_runtime(runtime.settings, clock=clock, store=runtime.store, content=edited)
    install(later)
    await later.run_due_work()
    await flag(later, UMA, "Another output.")

    kept = escalation(later, 1)
    assert (kept.acknowledge_hours, kept.answer_hours) == (4, 16)
    assert (kept.acknowledge_due_at, kept.answer_due_at) == (before.acknowledge_due_at, before.answer_due_at)
    job = later.store.run_sync(lambda s: schedule.by_subject(session=s, subject="escalation:1:acknowledge"))
    assert job is not None and job.due_at == before.acknowledge_due_at
    fresh: Escalation = escalation(later, 2)
    assert (fresh.acknowledge_hours, fresh.answer_hours) == (1, 2)
    assert fresh.acknowledge_due_at == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 14:00 UTC + 1 working hour
    assert fresh.acknowledge_due_at - fresh.created_at < timedelta(hours=6)


async def test_a_night_shift_owner_counts_the_sla_in_shifts_that_belong_to_the_day_they_start(
    runtime: Runtime, clock: FixedClock
) -> None:
    await meet(runtime, UMA, OMAR)
    night = {"timezone": "America/New_York", "workday_start": "18", "workday_end": "9"}
    await submit(runtime, OMAR, "people.settings", night, context="")
    await flag(runtime, UMA, "The contract renews in March.")  # Monday 04:00 in New York
    row = escalation(runtime)
    # 04:00 on Monday is in Sunday's shift, and Sunday is a day off: the clock starts with Monday's
    # shift at 18:00 New York (23:00 UTC); 4 working hours later is 22:00 there.
    assert row.acknowledge_due_at == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    # Monday's shift holds 15 of the 16 hours (until Tuesday 09:00); the last is Tuesday's 18:00–19:00.
    assert row.answer_due_at == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
