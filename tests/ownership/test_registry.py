from __future__ import annotations

from adapters.runtime import Runtime
from bot.audit import service as audit
from bot.ownership import service
from tests.programmes.harness import actor, say

ADA = actor("ada@example.com", "Europe/London")
UMA = actor("uma@example.com", "Europe/London")


def text(replies: list) -> str:  # type: ignore[type-arg]
    out = []
    for r in replies:
        for b in r.message.blocks if r.message else ():
            out.append(getattr(b, "markdown", "") or getattr(b, "text", ""))
            out.extend(f"{f.label}: {f.value}" for f in getattr(b, "items", ()))
    return "\n".join(out)


async def test_anyone_can_ask_who_owns_a_system(runtime: Runtime) -> None:
    shown = text(await say(runtime, UMA, "owners assistant"))
    assert "Escalation owner: omar@example.com (backup: bea@example.com)" in shown
    assert "Clause Checker" not in shown


async def test_admins_change_roles_and_the_change_is_audited(runtime: Runtime) -> None:
    await say(runtime, ADA, "hi")
    replies = await say(
        runtime, ADA, "owners set escalation_owner contract-review sam@example.com --backup group:legal-ops"
    )
    assert "sam@example.com is now the escalation owner of **Clause Checker**" in text(replies)
    row = runtime.store.run_sync(
        lambda s: service.assignment(session=s, system="contract-review", role="escalation_owner")
    )
    assert row is not None and row.backup == "group:legal-ops"
    trail = runtime.store.run_sync(
        lambda s: audit.for_subject(session=s, subject="system:contract-review:escalation_owner")
    )
    assert [e.action for e in trail] == ["ownership.set"]


async def test_only_admins_change_roles(runtime: Runtime) -> None:
    await say(runtime, UMA, "hi")
    replies = await say(runtime, UMA, "owners set escalation_owner assistant uma@example.com")
    assert replies[0].ephemeral and "Only admins" in text(replies)


async def test_gaps_on_the_shipped_content(runtime: Runtime) -> None:
    found = runtime.store.run_sync(lambda s: service.gaps(session=s, content=runtime.content))
    problems = {(g.system, g.problem) for g in found}
    assert ("contract-review", "no change communicator") in problems
    assert any(s == "contract-review" and "has no backup" in p for s, p in problems)
    assert any(s == "assistant" and "can't be reached" in p for s, p in problems)  # nobody has talked yet


async def test_seeding_keeps_changes_made_in_chat(runtime: Runtime) -> None:
    from adapters.runtime import seed_ownership

    await say(runtime, ADA, "owners set drift_monitor assistant uma@example.com")
    seed_ownership(store=runtime.store, content=runtime.content, clock=runtime.clock)
    holder = runtime.store.run_sync(
        lambda s: service.holder(session=s, system="assistant", role="drift_monitor")
    )
    assert holder is not None and holder.email == "uma@example.com"
