"""Report → owner notified (at once or in the digest) → owner acts → the reporter is told and answers."""

from __future__ import annotations

from datetime import timedelta

from adapters.runtime import Runtime
from bot.audit import service as audit
from bot.friction.models import Status
from bot.ports import FixedClock
from tests.friction.helpers import CHANNEL, DEV, UMA, click, file_report, record, reports, say, shown
from tests.programmes.harness import run_until


async def test_blocking_report_reaches_the_owners_channel_and_comes_back_fixed(
    runtime: Runtime, clock: FixedClock
) -> None:
    sent = record(runtime, clock)
    await say(runtime, UMA, "hi")
    await say(runtime, DEV, "hi")

    filed = await file_report(runtime, UMA)
    assert "is filed and goes to Dev" in shown(filed)
    (report,) = reports(runtime)
    assert report.status == Status.new and report.urgent and report.owner_id is not None

    await runtime.run_due_work()
    (card,) = sent.friction(to="esc-assistant")
    assert "FR-1" in card.message.summary
    assert [b.label for b in card.buttons()] == ["Triage", "Plan", "Fixed", "Won't fix"]
    assert "Summarise the supplier thread" in card.dump()

    replies = await click(runtime, DEV, "friction.fixed", str(report.id), place=CHANNEL)
    assert replies[0].replace_source and "Status" in shown(replies) and "fixed" in shown(replies)
    await runtime.run_due_work()
    (update,) = sent.friction(to="uma@example.com")
    assert "has been fixed" in update.dump()
    yes, no = update.buttons()
    assert (yes.action_id, no.action_id) == ("friction.better", "friction.better")

    answered = await click(runtime, UMA, yes.action_id, yes.value)
    assert "Glad to hear it" in shown(answered)
    (settled,) = answered  # the update itself shows the answer, its buttons gone
    assert settled.replace_source and "has been fixed" in shown(answered)
    assert "friction.better" not in str(settled.message)
    for late in (yes, no):  # a double click, or the other answer on a stale copy
        again, note = await click(runtime, UMA, late.action_id, late.value)
        assert again.message == settled.message and note.stale
        assert note.ephemeral and "Already recorded: **Yes, it's better**" in shown([note])
    (report,) = reports(runtime)
    assert report.status == Status.closed and report.better is True
    shown_to_dev = shown(await say(runtime, DEV, "friction show 1"))
    assert "Trail: filed" in shown_to_dev and "fixed" in shown_to_dev
    trail = runtime.store.run_sync(lambda s: audit.for_subject(session=s, subject=f"friction:{report.id}"))
    assert [e.action for e in trail] == [
        "friction.filed",
        "friction.fixed",
        "friction.better",
        "friction.closed",
    ]


async def test_other_reports_wait_for_the_owners_digest_then_reopen_when_not_better(
    runtime: Runtime, clock: FixedClock
) -> None:
    sent = record(runtime, clock)
    await say(runtime, UMA, "hi")
    await say(runtime, DEV, "hi")
    await file_report(runtime, UMA, severity="slows", details="The summary takes forever to load.")
    await file_report(
        runtime, UMA, severity="annoying", trying_to="Draft a reply", details="Takes forever to load"
    )
    await runtime.run_due_work()
    assert sent.friction(to="esc-assistant") == [] and sent.friction(to="dev@example.com") == []

    await run_until(runtime, clock, clock.now() + timedelta(days=1, hours=2))
    (digest,) = sent.friction(to="dev@example.com")
    text = digest.dump()
    assert "daily friction digest" in text and "2 new reports" in text
    assert "takes forever to load" in text  # a recurring phrase
    assert "FR-1" in text and "FR-2" in text

    listed = await say(runtime, DEV, "friction list")
    assert "FR-1" in shown(listed) and "FR-2" in shown(listed)
    await click(runtime, DEV, "friction.plan", "1")
    await click(runtime, DEV, "friction.fixed", "1")
    await runtime.run_due_work()
    planned, fixed = sent.friction(to="uma@example.com")
    assert "a fix is now planned" in planned.dump() and "has been fixed" in fixed.dump()

    _yes, no = fixed.buttons()
    answered = await click(runtime, UMA, no.action_id, no.value)
    assert "reopened" in shown(answered)
    assert reports(runtime)[0].status == Status.triaged and reports(runtime)[0].better is False
    await runtime.run_due_work()
    told = [d for d in sent.friction() if "not-better" in d.key]
    assert len(told) == 1 and "is back to triaged" in told[0].dump()


async def test_wont_fix_asks_for_a_reason_and_the_reporter_hears_it(
    runtime: Runtime, clock: FixedClock
) -> None:
    from bot.events import Submitted
    from tests.programmes.harness import dm

    sent = record(runtime, clock)
    await say(runtime, UMA, "hi")
    await say(runtime, DEV, "hi")
    await file_report(runtime, UMA)
    (form_reply,) = await click(runtime, DEV, "friction.wontfix", "1")
    assert form_reply.form is not None and form_reply.form.form_id == "friction.wontfix"
    empty = await runtime.engine.handle(
        Submitted(DEV, dm(DEV), "friction.wontfix", {"reason": " "}, context="1")
    )
    assert empty[0].form_errors == {"reason": "Give the reporter a reason in a sentence."}
    done = await runtime.engine.handle(
        Submitted(DEV, dm(DEV), "friction.wontfix", {"reason": "The *licence* forbids it."}, context="1")
    )
    assert "the reporter was told" in shown(done)
    await runtime.run_due_work()
    (update,) = sent.friction(to="uma@example.com")
    assert r"The \*licence\* forbids it." in update.text  # the owner's words are escaped too
    assert update.buttons() == []


async def test_merged_duplicates_all_hear_back(runtime: Runtime, clock: FixedClock) -> None:
    from tests.programmes.harness import actor

    bob = actor("bob@example.com", "Europe/London")
    sent = record(runtime, clock)
    for who in (UMA, bob, DEV):
        await say(runtime, who, "hi")
    await file_report(runtime, UMA, severity="slows")
    await file_report(runtime, bob, severity="slows")
    merged = await say(runtime, DEV, "friction merge 2 into 1")
    assert "FR-2 is merged into FR-1" in shown(merged)
    await click(runtime, DEV, "friction.fixed", "1")
    await runtime.run_due_work()
    assert len(sent.friction(to="uma@example.com")) == 1
    (bobs,) = sent.friction(to="bob@example.com")
    assert "FR-2" in bobs.dump() and "has been fixed" in bobs.dump()
    _yes, no = bobs.buttons()
    await click(runtime, bob, no.action_id, no.value)
    first = reports(runtime)[0]
    assert first.status == Status.triaged


async def test_non_owners_are_refused_and_nothing_changes(runtime: Runtime, clock: FixedClock) -> None:
    from tests.friction.helpers import OMAR

    record(runtime, clock)
    await say(runtime, UMA, "hi")
    await file_report(runtime, UMA)
    for who in (UMA, OMAR):
        for action in ("friction.triage", "friction.fixed", "friction.wontfix"):
            replies = await click(runtime, who, action, "1", place=CHANNEL)
            assert len(replies) == 1 and replies[0].ephemeral
            assert "Only the programme owner of Compass, their backup or an admin" in shown(replies)
        listed = await say(runtime, who, "friction list")
        assert listed[0].ephemeral and "Only programme owners" in shown(listed)
    assert reports(runtime)[0].status == Status.new
    # the backup (and admin) may act
    from tests.friction.helpers import ADA

    await say(runtime, ADA, "hi")
    await click(runtime, ADA, "friction.triage", "1", place=CHANNEL)
    assert reports(runtime)[0].status == Status.triaged


async def test_digest_cadence_is_the_owners_choice(runtime: Runtime, clock: FixedClock) -> None:
    sent = record(runtime, clock)
    await say(runtime, DEV, "hi")
    replies = await say(runtime, DEV, "friction digest weekly")
    assert "now weekly" in shown(replies)
    await file_report(runtime, UMA, severity="annoying")
    await run_until(runtime, clock, clock.now() + timedelta(days=5))  # Monday → Saturday
    assert sent.friction(to="dev@example.com") == []
    await run_until(runtime, clock, clock.now() + timedelta(days=3))  # past next Monday 09:00
    (digest,) = sent.friction(to="dev@example.com")
    assert "weekly friction digest" in digest.dump()


async def test_owners_note_and_summarise(runtime: Runtime, clock: FixedClock) -> None:
    record(runtime, clock)
    await say(runtime, DEV, "hi")
    await file_report(runtime, UMA, severity="slows", details="Search takes forever to load")
    await file_report(runtime, UMA, severity="annoying", category="trust", details="takes forever to load")
    noted = await say(runtime, DEV, "friction note 1 Talked to the *search* team")
    assert "Note added to FR-1" in shown(noted)
    shown_report = await say(runtime, DEV, "friction show FR-1")
    assert "Talked to the *search* team" in shown(shown_report)  # a Quote: shown verbatim, inert
    summary = shown(await say(runtime, DEV, "friction summary"))
    assert "2 reports" in summary and "takes forever to load" in summary
    assert "Speed" in summary and "Trust" in summary and "Compass" in summary and "2026-W48" in summary


async def test_the_owners_home_counts_the_reports_waiting_for_them(
    runtime: Runtime, clock: FixedClock
) -> None:
    record(runtime, clock)
    await say(runtime, UMA, "hi")
    await say(runtime, DEV, "hi")
    await file_report(runtime, UMA)
    (report,) = reports(runtime)
    assert '"Friction reports for you to look at", "value": "1"' in shown(await say(runtime, DEV, "home"))
    await click(runtime, DEV, "friction.fixed", str(report.id), place=CHANNEL)
    assert '"Friction reports for you to look at", "value": "0"' in shown(await say(runtime, DEV, "home"))
