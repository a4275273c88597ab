"""A whole handover drill with a fixed clock: the backups stand in, a flag and a blocking friction report
reach them only (not the primaries, not the owners' channel), the SLA is measured against them, the
report is produced at the end and readiness records it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.runtime import Runtime
from bot.escalations.models import Escalation
from bot.friction.models import FrictionReport
from bot.ownership.models import Drill
from bot.readiness.checks import readiness
from tests.escalations.helpers import ADA, BEA, OMAR, UMA, click, flag, install, meet, submit, words
from tests.friction.helpers import file_report
from tests.programmes.harness import actor, run_until, say

DEV = actor("dev@example.com", "Europe/London")  # programme owner of Compass; Ada is the backup
PRIYA = actor("priya@example.com", "Europe/London")
DRILL_CHECK = "a handover drill held in the last year"


def check(runtime: Runtime, name: str, system: str = "assistant") -> tuple[bool, str]:
    found = runtime.store.run_sync(
        lambda s: readiness(session=s, content=runtime.content, now=runtime.clock.now())
    )
    (item,) = [r for r in found if r.key == system]
    return {c.name: (c.ok, c.reason) for c in item.checks}[name]


async def test_a_full_drill_reaches_backups_only_and_readiness_records_it(runtime: Runtime) -> None:
    got = install(runtime)
    await meet(runtime, ADA, UMA, OMAR, BEA, DEV, PRIYA)
    await runtime.run_due_work()
    assert check(runtime, DRILL_CHECK) == (
        False,
        "no handover drill in the last year (an admin types: drill assistant 5 days)",
    )
    start = runtime.clock.now()
    before = len(got.to("dev@example.com"))

    started = words(await say(runtime, ADA, "drill assistant 5 days"))
    assert "DRILL-1 runs on Compass for 5 days" in started
    assert "escalation owner: Bea stands in" in started

    await runtime.run_due_work()
    (briefing,) = [g for g in got.to("bea@example.com") if g.key.startswith("drill:1:briefing")]
    assert "This is a drill (DRILL-1)" in briefing.text and "escalation owner (for Omar)" in briefing.text

    await flag(runtime, UMA, "The capital of France is Berlin.")
    await file_report(runtime, UMA)  # "blocks me": straight to the programme owner, here its backup
    await runtime.run_due_work()
    row = runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    assert row is not None and row.owner_id is not None
    bea_id = runtime.store.run_sync(lambda s: _id(s, "bea@example.com"))
    assert row.owner_id == bea_id  # the SLA is frozen in Bea's hours, and measured against her
    assert [g for g in got.to("bea@example.com") if g.key == "escalation:1:card"]
    assert got.in_channel() == []  # the owners' channel, where the primary reads, gets nothing
    (report,) = runtime.store.run_sync(lambda s: list(s.exec(select(FrictionReport)).all()))
    assert report.owner_id == runtime.store.run_sync(lambda s: _id(s, "ada@example.com"))
    assert queued(runtime, "friction:1:card") == [_ada(runtime)]  # queued for Ada alone, in her hours

    await click(runtime, BEA, "escalation.ack", "1")
    await submit(
        runtime, BEA, "escalation.answer", {"answer": "It is Paris; the model mixed up two facts."}, "1"
    )

    await run_until(runtime, runtime.clock, start + timedelta(days=5, minutes=1))
    assert len(got.to("dev@example.com")) == before  # the primaries were not disturbed
    # Omar, the escalation owner, heard nothing of the flag; he stands in as retraining decider, whose
    # only backup he is (as Priya, the decider, is the business owner's), and the report says so.
    assert [g.key for g in got.to("omar@example.com") if "escalation" in g.key] == []
    drill = runtime.store.run_sync(lambda s: s.get(Drill, 1))
    assert drill is not None and drill.report["doubled"] == ["business_owner", "retraining_decider"]
    drill = runtime.store.run_sync(lambda s: s.get(Drill, 1))
    assert drill is not None and drill.ended_at is not None
    assert drill.report["flags"] == 1 and drill.report["flags_to_standins"] == 1
    assert drill.report["flags_within_sla"] == 1 and drill.report["friction_to_standins"] == 1

    # The drill ended on Saturday morning; the report reaches people in their working hours.
    await run_until(runtime, runtime.clock, start + timedelta(days=8))
    (sent,) = [g for g in got.to("ada@example.com") if g.key == "drill:1:report:" + str(_ada(runtime))]
    assert "DRILL-1: It held" in sent.text and "1 within SLA, 0 missed" in sent.text
    assert [g for g in got.to("bea@example.com") if g.key.startswith("drill:1:report")]
    ok, reason = check(runtime, DRILL_CHECK)
    assert ok and reason == "DRILL-1 held: the backups ran it alone"

    new = await flag(runtime, UMA, "Another output, after the drill.")
    assert "ESC-2" in words(new)
    row = runtime.store.run_sync(lambda s: s.get(Escalation, 2))
    assert row is not None and row.owner_id == runtime.store.run_sync(lambda s: _id(s, "omar@example.com"))


def _id(session, email: str) -> int:  # type: ignore[no-untyped-def]
    from bot.people import service as people

    person = people.by_email(session=session, email=email)
    assert person is not None and person.id is not None
    return person.id


def queued(runtime: Runtime, prefix: str) -> list[int | None]:
    from bot.outbox.models import OutboxMessage

    rows = runtime.store.run_sync(lambda s: list(s.exec(select(OutboxMessage)).all()))
    return [r.person_id for r in rows if r.idempotency_key.startswith(prefix)]


def _ada(runtime: Runtime) -> int:
    return runtime.store.run_sync(lambda s: _id(s, "ada@example.com"))


async def test_a_drill_stopped_at_once_reports_what_needed_the_primary(runtime: Runtime) -> None:
    await meet(runtime, ADA, UMA, OMAR, BEA)
    await say(runtime, ADA, "drill assistant 3 days")
    noted = await say(runtime, BEA, "drill note assistant Asked Omar where the eval dashboard lives")
    assert "Noted" in words(noted)
    refused = await say(runtime, UMA, "drill stop assistant")
    assert "Only admins" in words(refused)
    stopped = words(await say(runtime, ADA, "drill stop assistant"))
    assert "It did not fully hold" in stopped and "(stopped early)" in stopped
    assert "Bea: Asked Omar where the eval dashboard lives" in stopped
    assert "Write down what needed the primary in the runbook" in stopped
    bea = runtime.store.run_sync(lambda s: _id(s, "bea@example.com"))
    assert bea in queued(runtime, "drill:1:report")  # Ada has it as her answer
    assert _ada(runtime) not in queued(runtime, "drill:1:report")
    ok, _ = check(runtime, DRILL_CHECK)
    assert not ok
    assert runtime.store.run_sync(lambda s: s.get(Drill, 1)).ended_at == runtime.clock.now()  # type: ignore[union-attr]
    # after the stop, the primaries hold their roles again
    await flag(runtime, UMA, "An output.")
    row = runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    assert row is not None and row.owner_id == runtime.store.run_sync(lambda s: _id(s, "omar@example.com"))


async def test_drills_are_opt_in_and_for_admins(runtime: Runtime) -> None:
    await meet(runtime, ADA, UMA)
    assert "Drills are opt-in" in words(await say(runtime, ADA, "drill contract-review 5 days"))
    assert "Only admins" in words(await say(runtime, UMA, "drill assistant 5 days"))
    assert "A drill lasts 1 to 30 days" in words(await say(runtime, ADA, "drill assistant 90 days"))
    assert "Usage: drill SYSTEM N days" in words(await say(runtime, ADA, "drill assistant soon"))
    await say(runtime, ADA, "drill assistant 2 days")
    assert "A drill already runs on Compass" in words(await say(runtime, ADA, "drill assistant 2 days"))
    assert "DRILL-1 runs until" in words(await say(runtime, ADA, "drill"))
