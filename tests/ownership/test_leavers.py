"""People who leave, through the engine on the local chat: `owners left EMAIL` hands roles and open flags
to the backups and tells the admins what is uncovered; a sign (refused Teams sends) opens a review that
an admin decides with its buttons."""

from __future__ import annotations

from datetime import timedelta

from adapters.runtime import Runtime
from bot.audit import service as audit
from bot.escalations.models import Escalation
from bot.messages import Actions
from bot.outbox.models import OutboxMessage, OutboxState
from bot.ownership import service
from bot.ownership.hooks import sweep
from bot.people import service as people
from tests.escalations.helpers import ADA, BEA, OMAR, UMA, click, flag, install, meet, words
from tests.programmes.harness import say


def holder(runtime: Runtime, role: str, system: str = "assistant") -> str | None:
    person = runtime.store.run_sync(lambda s: service.holder(session=s, system=system, role=role))
    return person.email if person else None


async def test_owners_left_hands_roles_and_open_flags_to_the_backups(runtime: Runtime) -> None:
    got = install(runtime)
    await meet(runtime, ADA, OMAR, BEA, UMA)
    await flag(runtime, UMA, "The capital of France is Berlin.")
    assert "Only admins" in words(await say(runtime, UMA, "owners left omar@example.com"))

    shown = words(await say(runtime, ADA, "owners left omar@example.com"))
    assert "is marked as left" in shown
    assert "the escalation owner of Compass went to Bea, who now has no backup" in shown
    assert "the retraining decider of Compass has no backup now" in shown  # Omar was Priya's backup
    assert holder(runtime, "escalation_owner") == "bea@example.com"
    row = runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    bea = runtime.store.run_sync(lambda s: people.by_email(session=s, email="bea@example.com"))
    assert row is not None and bea is not None and row.owner_id == bea.id
    trail = runtime.store.run_sync(
        lambda s: [e.action for e in audit.for_subject(session=s, subject="escalation:1")]
    )
    assert "escalation.reassigned" in trail
    await runtime.run_due_work()
    assert [g for g in got.to("bea@example.com") if "ESC-1 is yours now" in g.text]
    assert "already marked as left" in words(await say(runtime, ADA, "owners left omar@example.com"))


async def test_refused_teams_sends_open_a_review_the_admin_decides(runtime: Runtime) -> None:
    got = install(runtime)
    await meet(runtime, ADA, OMAR)
    omar = runtime.store.run_sync(lambda s: people.by_email(session=s, email="omar@example.com"))
    assert omar is not None and omar.id is not None

    def refused(session) -> None:  # type: ignore[no-untyped-def]
        for n in range(3):
            session.add(
                OutboxMessage(
                    idempotency_key=f"test:{n}",
                    platform="teams",
                    address={},
                    payload={"summary": "x", "blocks": []},
                    person_id=omar.id,
                    kind="notice",
                    state=OutboxState.unreachable,
                    last_error="Teams answered 403: BotNotInConversationRoster",
                    next_attempt_at=runtime.clock.now(),
                    created_at=runtime.clock.now(),
                )
            )

    runtime.store.run_sync(refused)
    runtime.store.run_sync(
        lambda s: sweep(
            session=s, content=runtime.content, settings=runtime.settings, now=runtime.clock.now()
        )
    )
    runtime.store.run_sync(  # the next day's sweep opens no second review
        lambda s: sweep(
            session=s,
            content=runtime.content,
            settings=runtime.settings,
            now=runtime.clock.now() + timedelta(days=1),
        )
    )
    await runtime.run_due_work()
    reviews = [g for g in got.to("ada@example.com") if g.key.startswith("ownership:departure:")]
    assert len(reviews) == 1 and "Has Omar left?" in reviews[0].text
    assert holder(runtime, "escalation_owner") == "omar@example.com"  # a sign changes nothing by itself

    buttons = {
        b.label: b for block in reviews[0].message.blocks if isinstance(block, Actions) for b in block.buttons
    }
    assert "Only admins" in words(
        await click(runtime, OMAR, buttons["They left"].action_id, buttons["They left"].value)
    )
    settled = await click(runtime, ADA, buttons["They left"].action_id, buttons["They left"].value)
    assert settled[0].replace_source and "They left" in words(settled)
    assert holder(runtime, "escalation_owner") == "bea@example.com"
    again = await click(runtime, ADA, buttons["Still here"].action_id, buttons["Still here"].value)
    assert "Already recorded: They left" in words(again)
