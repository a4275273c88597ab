"""Help and Home list exactly what each person may do: a user, two owners and an admin, over the
engine. Everything help lists is answered, not refused; the commands it leaves out are refused."""

from __future__ import annotations

import pytest

from adapters.runtime import Runtime
from bot.events import Actor, Opened, Said
from bot.messages import Actions, Context, Reply, Text
from tests.programmes.harness import actor, dm

UMA = actor("uma@example.com", "Europe/London")  # a user
OMAR = actor("omar@example.com", "America/New_York")  # escalation owner of Compass, nothing else
DEV = actor("dev@example.com", "Europe/London")  # Compass's change communicator and programme owner
ADA = actor("ada@example.com", "Europe/London")  # an admin (COACH_ADMINS)

EVERYONE = {
    "help",
    "home",
    "settings",
    "programme",
    "snooze [hour|tomorrow|next week]",
    "stop",
    "start",
    "flag <the AI output>",
    "flags",
    "escalation ID",
    "friction [what went wrong]",
    "owners [SYSTEM]",
    "changes SYSTEM",
    "dashboard",
}
OWNERS = {
    "readiness",
    "outcomes [SYSTEM] [weeks N]",
    "decisions SYSTEM",
    "owners confirm [SYSTEM]",
    "handover SYSTEM",
}
# Omar is also the retraining decider's backup and in the drift monitor's backup group.
DECISION_LOG = {"review drift SYSTEM", "decide SYSTEM"}
ANNOUNCERS = {"announce", "announcements", "announcement ID [csv|cancel]"}
TRIAGE = {"friction list|summary|show ID", "friction note ID TEXT|merge ID INTO|digest daily|weekly"}
ADMINS = {
    "admins [add|remove EMAIL]",
    "enrol EMAIL… | channel [CHANNEL] | everyone [confirm] [programme KEY]",
    "preview [KEY]",
    "outbox [retry ID]",
    "owners set ROLE SYSTEM EMAIL [--backup EMAIL|group:NAME]",
    "owners left EMAIL",
    "friction export",
    "drill",
    "drill SYSTEM N days",
    "drill stop SYSTEM",
    "people export|forget EMAIL",
    "evidence SYSTEM",
}
# Typed bare, these answer "which one?" before they can tell who asks: left out of the refusal check.
NEED_AN_ID = {"announcement", "friction note"}


def text_of(replies: list[Reply]) -> str:
    return "\n".join(
        b.markdown for r in replies if r.message for b in r.message.blocks if isinstance(b, Text | Context)
    )


def listed(replies: list[Reply]) -> set[str]:
    lines = text_of(replies).splitlines()
    return {line.split("`")[1] for line in lines if line.startswith("- `")}


def typed(usage: str) -> str:
    """What someone types to try a usage line: its words up to the first placeholder or choice."""
    words = []
    for word in usage.split("|")[0].split():
        if not (word.isalpha() and word.islower()):
            break
        words.append(word)
    return " ".join(words)


def refused(replies: list[Reply]) -> bool:
    return any(r.ephemeral and text_of([r]).startswith("Only ") for r in replies)


async def say(runtime: Runtime, who: Actor, text: str) -> list[Reply]:
    return await runtime.engine.handle(Said(who, dm(who), text))


@pytest.mark.parametrize(
    ("who", "expected", "roles"),
    [
        (UMA, EVERYONE, "user"),
        (OMAR, EVERYONE | OWNERS | DECISION_LOG, "owner, user"),
        (DEV, EVERYONE | OWNERS | ANNOUNCERS | TRIAGE, "owner, user"),
        (ADA, EVERYONE | OWNERS | DECISION_LOG | ANNOUNCERS | TRIAGE | ADMINS, "admin, user"),
    ],
    ids=["user", "escalation-owner", "communicator-and-programme-owner", "admin"],
)
async def test_help_lists_exactly_what_the_person_may_do(
    runtime: Runtime, who: Actor, expected: set[str], roles: str
) -> None:
    await say(runtime, who, "hi")
    shown = await say(runtime, who, "help")
    assert listed(shown) == expected
    assert f"Your roles: {roles}." in text_of(shown)
    everything = EVERYONE | OWNERS | ANNOUNCERS | TRIAGE | ADMINS
    for usage in sorted(everything):
        answer = await say(runtime, who, typed(usage))
        if usage in expected:
            assert not refused(answer), (usage, text_of(answer))
        elif typed(usage) not in NEED_AN_ID:
            assert refused(answer), (usage, text_of(answer))


async def test_typos_are_matched_only_against_what_the_person_may_do(runtime: Runtime) -> None:
    await say(runtime, UMA, "hi")
    assert "Did you mean" not in text_of(await say(runtime, UMA, "anounce"))
    await say(runtime, ADA, "hi")
    assert "Did you mean `announce`" in text_of(await say(runtime, ADA, "anounce"))


@pytest.mark.parametrize(
    ("who", "outcomes"), [(UMA, False), (OMAR, True), (ADA, True)], ids=["user", "owner", "admin"]
)
async def test_home_offers_only_what_help_lists(runtime: Runtime, who: Actor, outcomes: bool) -> None:
    await say(runtime, who, "hi")
    (home,) = await runtime.engine.handle(Opened(who, dm(who), surface="home"))
    assert home.message is not None
    labels = [b.label for block in home.message.blocks if isinstance(block, Actions) for b in block.buttons]
    everyone = ["Flag an AI output", "Something's not working", "My settings", "Everything I can do", "Dashboard"]
    assert labels == everyone + (["Outcomes"] if outcomes else [])
    assert ("outcomes [SYSTEM] [weeks N]" in listed(await say(runtime, who, "help"))) is outcomes


async def test_one_help_message_per_listing_rendered_once(runtime: Runtime) -> None:
    """People who may do the same get the same message object, which the adapters render once; someone
    who may do more gets another."""
    from adapters.slack.render import render_message

    uma, jo = UMA, actor("jo@example.com", "Europe/London")
    for who in (uma, jo, ADA):
        await say(runtime, who, "hi")
    (first,), (second,), (admin,) = [await say(runtime, who, "help") for who in (uma, jo, ADA)]
    assert first.message is second.message and admin.message is not first.message
    assert first.message is not None
    assert render_message(first.message)["blocks"] is render_message(first.message)["blocks"]


async def test_a_role_given_shows_in_the_next_help_at_once(runtime: Runtime) -> None:
    """Listings read roles from the process's snapshot (bot/store/snapshot): a role given in this process
    is a committed write to the registry, and the next help reads it afresh."""
    await say(runtime, UMA, "hi")
    assert not listed(await say(runtime, UMA, "help")) & ANNOUNCERS
    await say(runtime, ADA, "hi")
    await say(runtime, ADA, "owners set change_communicator assistant uma@example.com")
    assert listed(await say(runtime, UMA, "help")) >= ANNOUNCERS
