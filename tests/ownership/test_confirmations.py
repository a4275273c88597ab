"""Ownership that stays true, through the engine with a fixed clock: one card per person per system
every 90 days covering all their roles, Confirm / Not me / Hand over, reminders, a lapse the admins
hear of, a successor who must accept before the registry changes, and readiness."""

from __future__ import annotations

from datetime import timedelta

from adapters.runtime import Runtime
from bot.audit import service as audit
from bot.messages import Actions, Button
from bot.ownership import service
from bot.readiness.checks import readiness
from tests.escalations.helpers import ADA, BEA, OMAR, click, install, meet, submit, words
from tests.programmes.harness import actor, run_until, say

SAM = actor("sam@example.com", "Europe/London")
CHECK = "owners confirmed their roles"


def buttons(got) -> dict[str, Button]:  # type: ignore[no-untyped-def]
    return {b.label: b for block in got.message.blocks if isinstance(block, Actions) for b in block.buttons}


def check(runtime: Runtime) -> tuple[bool, str]:
    found = runtime.store.run_sync(
        lambda s: readiness(session=s, content=runtime.content, now=runtime.clock.now())
    )
    (item,) = [r for r in found if r.key == "assistant"]
    return {c.name: (c.ok, c.reason) for c in item.checks}[CHECK]


def cards(got, email: str) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [
        g
        for g in got.to(email)
        if g.key.startswith("ownership:confirm:") and "Still right" in g.message.summary
    ]


async def test_one_card_per_person_per_system_then_confirm(runtime: Runtime) -> None:
    got = install(runtime)
    await meet(runtime, ADA, OMAR, BEA)
    start = runtime.clock.now()
    await run_until(runtime, runtime.clock, start + timedelta(days=89))
    assert cards(got, "omar@example.com") == []  # not before 90 days

    await run_until(runtime, runtime.clock, start + timedelta(days=92))
    (card,) = cards(got, "omar@example.com")
    assert (
        "You are the escalation owner, backup drift monitor and backup retraining decider of **Compass**"
        in card.message.blocks[0].markdown
    )
    confirm = buttons(card)["Confirm"]
    settled = await click(runtime, OMAR, confirm.action_id, confirm.value)
    assert settled[0].replace_source and "Confirmed" in words(settled)
    again = await click(runtime, OMAR, confirm.action_id, confirm.value)
    assert "Already recorded: Confirmed" in words(again)

    await run_until(runtime, runtime.clock, start + timedelta(days=150))
    assert (
        len(cards(got, "omar@example.com")) == 1
    )  # no reminder after an answer, no card before 90 more days
    ok, reason = check(runtime)
    assert not ok and "Bea (no answer)" in reason and "Omar" not in reason  # Bea never answered hers


async def test_unanswered_cards_are_reminded_then_lapse_to_the_admins(runtime: Runtime) -> None:
    got = install(runtime)
    await meet(runtime, ADA, OMAR)
    start = runtime.clock.now()
    await run_until(runtime, runtime.clock, start + timedelta(days=92 + 22))
    reminders = [g for g in got.to("omar@example.com") if ":reminder:" in g.key]
    assert len(reminders) == 2 and "**Reminder.**" in reminders[0].message.blocks[0].markdown
    (note,) = [g for g in got.to("ada@example.com") if ":lapsed:" in g.key and "Omar" in g.text]
    assert "has not confirmed being the escalation owner" in note.text
    ok, reason = check(runtime)
    assert not ok and "Omar (no answer)" in reason


async def test_not_me_tells_the_admins(runtime: Runtime) -> None:
    got = install(runtime)
    await meet(runtime, ADA, BEA)
    (card,) = [r.message for r in await say(runtime, BEA, "owners confirm assistant")]
    assert (
        card is not None
        and "You are backup escalation owner, backup drift monitor and backup change communicator of"
        in card.blocks[0].markdown
    )
    not_me = {b.label: b for block in card.blocks if isinstance(block, Actions) for b in block.buttons}[
        "Not me"
    ]
    await click(runtime, BEA, not_me.action_id, not_me.value)
    await runtime.run_due_work()
    assert [g for g in got.to("ada@example.com") if "says they are not" in g.text]
    ok, reason = check(runtime)
    assert not ok and "Bea (says not them)" in reason


async def test_a_hand_over_changes_the_registry_once_the_successor_accepts(runtime: Runtime) -> None:
    got = install(runtime)
    await meet(runtime, ADA, OMAR, SAM)
    (reply,) = await say(runtime, OMAR, "owners confirm assistant")
    assert reply.message is not None
    hand_over = {
        b.label: b for block in reply.message.blocks if isinstance(block, Actions) for b in block.buttons
    }["Hand over"]
    (form_reply,) = await click(runtime, OMAR, hand_over.action_id, hand_over.value)
    assert form_reply.form is not None
    bad = await submit(runtime, OMAR, form_reply.form.form_id, {"successor": "sam"}, form_reply.form.context)
    assert bad[0].form_errors == {"successor": "Their email address, e.g. name@example.com."}
    done = await submit(
        runtime, OMAR, form_reply.form.form_id, {"successor": "Sam@Example.com"}, form_reply.form.context
    )
    assert "You stay on the list until they accept" in words(done)
    holder = runtime.store.run_sync(
        lambda s: service.holder(session=s, system="assistant", role="escalation_owner")
    )
    assert holder is not None and holder.email == "omar@example.com"  # nothing changes before Sam accepts

    await runtime.run_due_work()
    (ask,) = [g for g in got.to("sam@example.com") if g.key.startswith("ownership:handover:")]
    accept = buttons(ask)["Accept"]
    assert "refused" not in words(
        await click(runtime, OMAR, accept.action_id, accept.value)
    )  # not Omar's to click
    accepted = await click(runtime, SAM, accept.action_id, accept.value)
    assert "Accepted" in words(accepted)

    def registry(s):  # type: ignore[no-untyped-def]
        owner = service.holder(session=s, system="assistant", role="escalation_owner")
        decider = service.assignment(session=s, system="assistant", role="retraining_decider")
        return owner.email if owner else None, decider.backup if decider else None

    assert runtime.store.run_sync(registry) == ("sam@example.com", "sam@example.com")
    trail = runtime.store.run_sync(
        lambda s: [e.action for e in audit.for_subject(session=s, subject="system:assistant")]
    )
    assert "ownership.handover" in trail and "ownership.handover_accepted" in trail
    await run_until(runtime, runtime.clock, runtime.clock.now() + timedelta(days=1))  # in Ada's hours
    told = [g for g in got.to("ada@example.com") if "accepted" in g.text]
    assert (
        told and "a group backs up backup drift monitor" in told[0].text
    )  # ai-platform lives in systems.yaml
