"""Retention with a fixed clock: old text erased, old rows deleted, and outcomes unchanged by the purge
because finished weeks are rolled up first. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from adapters.runtime import Runtime, seed_housekeeping
from bot.config import SettingsError, load_settings
from bot.escalations.models import Escalation
from bot.friction.models import FrictionReport
from bot.outbox.models import OutboxMessage, OutboxState
from bot.outcomes.service import MAX_WEEKS, outcomes
from bot.ports import FixedClock
from bot.privacy import hooks
from bot.privacy.models import WeeklyRollup
from bot.privacy.retention import ERASED, history, roll_up, week_start
from bot.schedule.models import DueWork
from bot.transcripts.models import TranscriptLine
from bot.usage.models import UsageEvent
from tests.escalations.helpers import flag, meet
from tests.friction.helpers import ADA, OMAR, UMA, file_report

HANDLES = [f"user{i}@example.com" for i in range(6)]


def test_the_usage_floor_is_what_outcomes_reach_back_to() -> None:
    from bot.config import RETENTION_BUILT_IN_FLOORS

    assert RETENTION_BUILT_IN_FLOORS["usage"] == (MAX_WEEKS + 1) * 7


@pytest.mark.parametrize(
    ("retention", "floor", "named"),
    [
        ("usage=30", "", "usage=30 is below its floor of 371 days (what outcomes reach back to)"),
        ("flags=100", "flags=730", "flags=100 is below its floor of 730 days (COACH_RETENTION_FLOOR)"),
        ("photos=3", "", "unknown kind 'photos'"),
        ("outbox=soon", "", "outbox must be a whole number of days"),
    ],
)
def test_a_period_below_its_floor_stops_start_up_naming_both(retention: str, floor: str, named: str) -> None:
    with pytest.raises(SettingsError, match="COACH_RETENTION") as refused:
        load_settings(COACH_RETENTION=retention, COACH_RETENTION_FLOOR=floor, _env_file=None)
    assert named in str(refused.value)


async def test_the_daily_job_erases_what_is_old_and_outcomes_stay_true(
    runtime: Runtime, clock: FixedClock
) -> None:
    await meet(runtime, UMA, OMAR, ADA)
    await flag(runtime, UMA, "The contract renews in March 2027")
    await file_report(runtime, UMA)
    start = clock.now()

    def add_usage(session):  # type: ignore[no-untyped-def]
        for week in range(62):  # a use by six people every week for 62 weeks
            for n, handle in enumerate(HANDLES):
                session.add(UsageEvent(external_id=f"w{week}-{n}", person_handle=handle, system_key="assistant",
                                       kind="minutes_saved", value=10, at=start + timedelta(days=7 * week, hours=n),
                                       received_at=start))  # fmt: skip

    runtime.store.run_sync(add_usage)
    clock.advance(days=7 * 62 + 3)
    now = clock.now()
    content, min_group = runtime.content, runtime.settings.min_group_size

    def report(session):  # type: ignore[no-untyped-def]
        return outcomes(session=session, content=content, now=now, min_group=min_group, weeks=MAX_WEEKS)

    before = runtime.store.run_sync(report)
    seed_housekeeping(store=runtime.store, clock=clock)  # made at start-up, once
    job = runtime.store.run_sync(lambda s: s.exec(select(DueWork).where(DueWork.kind == hooks.RETENTION)).one())
    assert job.due_at < now
    clock.advance(days=1)
    later = clock.now()
    runtime.ticker.tick_sync()

    def report_later(session):  # type: ignore[no-untyped-def]
        return outcomes(session=session, content=content, now=later, min_group=min_group, weeks=MAX_WEEKS)

    # The purge changed no figure a report shows: compare the windows both reports share.
    after_purge = runtime.store.run_sync(report_later)
    assert runtime.store.run_sync(lambda s: len(s.exec(select(UsageEvent)).all())) < 62 * 6, "nothing was purged"
    clock_free = runtime.store.run_sync(
        lambda s: outcomes(session=s, content=content, now=now, min_group=min_group, weeks=MAX_WEEKS)
    )
    assert clock_free == before
    assert after_purge[0].weeks[-1].uses == 0  # nothing happened in the last day

    rolled = runtime.store.run_sync(lambda s: history(session=s, system="assistant"))
    first_week = week_start(start)
    assert rolled[0]["week_start"] == first_week.isoformat() and rolled[0]["uses"] >= 1
    assert sum(w["uses"] for w in rolled) == 62 * 6  # every use is counted in a finished week
    assert runtime.store.run_sync(lambda s: len(s.exec(select(WeeklyRollup)).all())) >= 62
    again = runtime.store.run_sync(lambda s: roll_up(session=s, content=content, now=later, min_group=min_group))
    assert again == 0  # the next day's run finds every finished week rolled up

    flagged = runtime.store.run_sync(lambda s: s.exec(select(Escalation)).one())
    assert flagged.output_text == ERASED and flagged.anonymous and flagged.trace_id is None
    report_row = runtime.store.run_sync(lambda s: s.exec(select(FrictionReport)).one())
    assert report_row.details == ERASED and report_row.category  # the category still counts
    finished = runtime.store.run_sync(
        lambda s: s.exec(select(OutboxMessage).where(OutboxMessage.state == OutboxState.sent)).all()
    )
    assert all("The contract renews" not in str(row.payload) for row in finished)
    assert runtime.store.run_sync(lambda s: s.exec(select(TranscriptLine)).all()) == []


async def test_recent_records_are_left_alone(runtime: Runtime, clock: FixedClock) -> None:
    await meet(runtime, UMA, OMAR, ADA)
    await flag(runtime, UMA, "The contract renews in March 2027")
    seed_housekeeping(store=runtime.store, clock=clock)
    clock.advance(days=1)
    runtime.ticker.tick_sync()
    flagged = runtime.store.run_sync(lambda s: s.exec(select(Escalation)).one())
    assert flagged.output_text == "The contract renews in March 2027"


def test_coach_outcomes_history_prints_the_rollup(runtime: Runtime, database_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from adapters.cli import app

    monkeypatch.setenv("COACH_DATABASE_URL", database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(Path(__file__).resolve().parents[1] / "content"))
    week = week_start(runtime.clock.now()) - timedelta(days=7)
    runtime.store.run_sync(lambda s: s.add(WeeklyRollup(system_key="assistant", week_start=week,
                                                         figures={"uses": 3}, rolled_up_at=week)))  # fmt: skip
    result = CliRunner().invoke(app, ["outcomes", "--history", "--system", "assistant"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"systems": {"assistant": [{"week_start": week.isoformat(), "uses": 3}]}}


async def test_questions_about_announcements_lose_their_text_after_their_period(
    runtime: Runtime, clock: FixedClock
) -> None:
    from bot.announcements.models import Announcement, AnnouncementQuestion
    from bot.people.models import Person
    from bot.privacy.retention import Retention, purge

    await meet(runtime, UMA)
    asked = clock.now()

    def ask(session):  # type: ignore[no-untyped-def]
        uma = session.exec(select(Person).where(Person.email == UMA.email)).one()
        note = Announcement(title="New model", body="It changed.", audience_kind="all", created_at=asked)
        session.add(note)
        session.flush()
        for days_ago, text in ((400, "Does it still read my calendar?"), (10, "Is it slower now?")):
            session.add(AnnouncementQuestion(announcement_id=note.id, person_id=uma.id, text=text,
                                             asked_at=asked - timedelta(days=days_ago), answer="No.",
                                             answered_at=asked))  # fmt: skip

    runtime.store.run_sync(ask)
    retention = Retention(load_settings(COACH_RETENTION="questions=30", _env_file=None).retention_days)
    assert Retention(load_settings(_env_file=None).retention_days).days["questions"] == 365  # the default
    counts = runtime.store.run_sync(lambda s: purge(session=s, now=asked, retention=retention))
    assert counts["questions"] == 1
    rows = runtime.store.run_sync(lambda s: s.exec(select(AnnouncementQuestion).order_by(AnnouncementQuestion.id)).all())
    assert [(r.text, r.answer) for r in rows] == [(ERASED, "No."), ("Is it slower now?", "No.")]
    again = runtime.store.run_sync(lambda s: purge(session=s, now=asked, retention=retention))
    assert again["questions"] == 0  # once per row
