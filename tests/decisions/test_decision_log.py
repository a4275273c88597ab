"""The decision log through the engine on the local chat: a drift review shows what happened since the
last one, a degraded verdict asks the retraining decider, decisions prompt the change communicator or
tell users, and readiness checks the cadence."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.runtime import Runtime
from bot.decisions.models import Decision, DriftReview
from bot.friction.models import FrictionReport
from bot.messages import Actions, Reply
from bot.ownership import service as ownership
from bot.readiness.checks import readiness
from tests.escalations.helpers import ADA, IVAN, UMA, click, flag, install, meet, submit, words
from tests.friction.helpers import file_report
from tests.programmes.harness import actor, run_until, say

PRIYA = actor("priya@example.com", "Europe/London")  # decides retraining of Compass
DEV = actor("dev@example.com", "Europe/London")  # communicates its changes
OMAR = actor("omar@example.com", "Europe/London")


def form_of(replies: list[Reply]):  # type: ignore[no-untyped-def]
    (reply,) = [r for r in replies if r.form is not None]
    return reply.form


def checks(runtime: Runtime, system: str = "assistant") -> dict[str, tuple[bool, str]]:
    found = runtime.store.run_sync(
        lambda s: readiness(session=s, content=runtime.content, now=runtime.clock.now())
    )
    (item,) = [r for r in found if r.key == system]
    return {c.name: (c.ok, c.reason) for c in item.checks}


async def review(runtime: Runtime, who=IVAN, verdict: str = "degraded", evidence: str = "") -> list[Reply]:  # type: ignore[no-untyped-def]
    form = form_of(await say(runtime, who, "review drift assistant"))
    values = {"looked_at": "The weekly evaluation set and ten sampled answers", "verdict": verdict}
    values["evidence"] = evidence
    return await submit(runtime, who, form.form_id, values, form.context)


async def test_a_degraded_review_reaches_the_decider_whose_retrain_reaches_the_communicator(
    runtime: Runtime,
) -> None:
    got = install(runtime)
    await meet(runtime, ADA, UMA, IVAN, PRIYA, DEV, OMAR)
    assert not checks(runtime)["drift reviewed in the last 30 days"][0]

    await flag(runtime, UMA, "The capital of France is Berlin.")
    harmful = await flag(runtime, UMA, "Mix bleach and ammonia to clean.")
    assert "ESC-2" in words(harmful)
    runtime.store.run_sync(lambda s: _reason(s, 2, "harmful"))
    await file_report(runtime, UMA, trying_to="Summarise the thread", details="It takes forever to load")
    await file_report(runtime, OMAR, trying_to="Find the policy", details="It takes forever to load again")

    form = form_of(await say(runtime, IVAN, "review drift assistant"))
    assert "2 flags: 1 could cause harm, 1 unclear" in form.intro
    assert "2 friction reports: speed 2" in form.intro and "takes forever to load" in form.intro

    bad = await submit(
        runtime,
        IVAN,
        form.form_id,
        {"looked_at": "x", "verdict": "degraded", "evidence": "wiki page"},
        form.context,
    )
    assert bad[0].form_errors == {"evidence": "One link a line, each starting with https:// (or http://)."}

    done = await review(runtime, evidence="https://dash.example.com/drift\nhttps://nb.example.com/eval")
    assert "DR-1 recorded: degraded for Compass. Priya (retraining decider) is asked to decide." in words(
        done
    )
    (stored,) = runtime.store.run_sync(lambda s: list(s.exec(select(DriftReview)).all()))
    assert stored.shown["flags_by_reason"] == {"harmful": 1, "unclear": 1}
    assert stored.evidence.splitlines() == ["https://dash.example.com/drift", "https://nb.example.com/eval"]
    assert not checks(runtime)["a decision on every degraded review"][0]
    assert checks(runtime)["drift reviewed in the last 30 days"][0]

    await runtime.run_due_work()
    (ask,) = [g for g in got.to("priya@example.com") if "degraded" in g.text]
    (button,) = [b for block in ask.message.blocks if isinstance(block, Actions) for b in block.buttons]
    opened = await click(runtime, PRIYA, button.action_id, button.value)
    decision_form = form_of(opened)
    assert {f.name: f.initial for f in decision_form.fields}["review"] == "1"

    values = {
        "kind": "retrain",
        "rationale": "Answers about chemicals got worse since the November data refresh.",
        "review": "1",
        "flags": "ESC-2, esc-1",
        "model_version": "compass-2026-12",
    }
    decided = await submit(runtime, PRIYA, decision_form.form_id, values, decision_form.context)
    assert "DEC-1 recorded: retrain for Compass. Dev (change communicator) is asked to announce it." in words(
        decided
    )
    (decision,) = runtime.store.run_sync(lambda s: list(s.exec(select(Decision)).all()))
    assert (
        decision.flag_ids == [1, 2]
        and decision.review_id == 1
        and decision.model_version == "compass-2026-12"
    )
    assert checks(runtime)["a decision on every degraded review"][0]

    await runtime.run_due_work()
    (prompt,) = [g for g in got.to("dev@example.com") if "announce" in g.text]
    assert "compass-2026-12" in prompt.text and "DEC-1" in prompt.text

    log = words(await say(runtime, PRIYA, "decisions assistant"))
    assert "DR-1" in log and "DEC-1" in log and "after DR-1, ESC-1, ESC-2" in log


def _reason(session, escalation_id: int, reason: str) -> None:  # type: ignore[no-untyped-def]
    from bot.escalations.models import Escalation

    row = session.get(Escalation, escalation_id)
    row.reason = reason


async def test_only_the_drift_monitor_their_backups_and_admins_review(runtime: Runtime) -> None:
    await meet(runtime, UMA, PRIYA)
    refused = await say(runtime, UMA, "review drift assistant")
    assert "Only drift monitors, their backups and admins" in words(refused)
    assert "review drift" not in words(await say(runtime, UMA, "help"))
    lena = actor("lena@example.com", "Europe/London")  # the drift monitor of Clause Checker only
    await meet(runtime, lena)
    refused = await say(runtime, lena, "review drift assistant")
    assert "Only the drift monitor of Compass, their backup and admins" in words(refused)
    bea = actor("bea@example.com", "Europe/London")  # in group:ai-platform, the drift monitor's backup
    await meet(runtime, bea)
    assert form_of(await say(runtime, bea, "review drift assistant")).form_id == "decisions.review"
    assert "I don't know the system 'nope'" in words(await say(runtime, ADA, "review drift nope"))
    assert "Usage: review drift SYSTEM" in words(await say(runtime, ADA, "review"))


async def test_harmful_flags_past_their_sla_fail_readiness(runtime: Runtime) -> None:
    await meet(runtime, UMA, OMAR)
    await flag(runtime, UMA, "Mix bleach and ammonia to clean.")
    runtime.store.run_sync(lambda s: _reason(s, 1, "harmful"))
    assert checks(runtime)["harmful flags answered within SLA"][0]
    runtime.clock.at += timedelta(days=5)
    ok, reason = checks(runtime)["harmful flags answered within SLA"]
    assert not ok and reason == "0 of 1 harmful flags answered within their SLA"


async def test_suspending_tells_users_and_stops_the_programme(runtime: Runtime) -> None:
    got = install(runtime)
    await meet(runtime, ADA, UMA, PRIYA)  # Uma joins the Compass programme at first contact
    await runtime.run_due_work()
    before = len([g for g in got.to("uma@example.com") if g.key.startswith("programme:")])
    form = form_of(await say(runtime, PRIYA, "decide assistant"))
    values = {"kind": "suspend", "rationale": "A <b>data leak</b> is under investigation.", "review": "none"}
    done = await submit(runtime, PRIYA, form.form_id, values, form.context)
    assert "Compass is now suspended" in words(done)
    assert runtime.store.run_sync(lambda s: ownership.status(session=s, system="assistant")) == "suspended"

    await run_until(runtime, runtime.clock, runtime.clock.now() + timedelta(days=10))
    told = [g for g in got.to("uma@example.com") if "suspended" in g.text]
    assert len(told) == 1 and "A <b>data leak</b> is under investigation." in told[0].quotes().values()
    after = [g for g in got.to("uma@example.com") if g.key.startswith("programme:")]
    assert len(after) == before  # ten days of a programme, and no nudge

    form = form_of(await say(runtime, PRIYA, "decide assistant"))
    kept = await submit(
        runtime,
        PRIYA,
        form.form_id,
        {"kind": "keep", "rationale": "Cleared.", "review": "none"},
        form.context,
    )
    assert "Compass is in use again." in words(kept)


async def test_decision_form_refuses_flags_of_other_systems(runtime: Runtime) -> None:
    lena = actor("lena@example.com", "Europe/London")
    await meet(runtime, UMA, PRIYA, lena)
    await flag(runtime, UMA, "Clause 4 is fine.", system="contract-review")
    form = form_of(await say(runtime, PRIYA, "decide assistant"))
    values = {"kind": "keep", "rationale": "Fine.", "review": "none", "flags": "ESC-1"}
    bad = await submit(runtime, PRIYA, form.form_id, values, form.context)
    assert bad[0].form_errors == {"flags": "ESC-1 is not a flag about Compass."}
    values["flags"] = "bogus"
    bad = await submit(runtime, PRIYA, form.form_id, values, form.context)
    assert "'bogus' is not a flag reference" in (bad[0].form_errors or {})["flags"]
    assert runtime.store.run_sync(lambda s: list(s.exec(select(FrictionReport)).all())) == []
