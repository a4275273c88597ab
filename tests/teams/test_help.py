"""`help` in a personal chat through the real CloudAdapter lists what the person may do, nothing else."""

from __future__ import annotations

from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import Teams

EVERYONE = {"changes", "escalation", "flag", "flags", "friction", "help", "home", "settings", "owners"}
EVERYONE |= {"dashboard", "programme", "snooze", "start", "stop"}
OWNERS_AND_ADMINS = {"readiness", "outcomes", "announce", "announcements", "announcement", "friction list"}
OWNERS_AND_ADMINS |= {
    "friction note",
    "admins",
    "enrol",
    "preview",
    "outbox",
    "owners set",
    "friction export",
}


def listed(texts: list[str]) -> set[str]:
    """The commands a help card lists: each `- usage: summary` line's words before any placeholder."""
    heads = set()
    for line in "\n".join(texts).splitlines():
        if line.startswith("- ") and ": " in line:
            words = line[2:].split(": ")[0].split("|")[0].split()
            heads.add(" ".join(words[: _placeholder(words)]))
    return heads


def _placeholder(words: list[str]) -> int:
    return next((i for i, w in enumerate(words) if not (w.isalpha() and w.islower())), len(words))


async def test_personal_help_lists_only_what_the_person_may_do(teams: Teams, bf: FakeBotFramework) -> None:
    assert (await teams.post(teams.personal("help", user="bob", name="Bob Builder"))).status == 201
    assert "Your roles: user. Type a command, or click a button below." in bf.texts()
    assert listed(bf.texts()) == EVERYONE

    bf.calls.clear()
    assert (await teams.post(teams.personal("help"))).status == 201  # Ada, an admin (COACH_ADMINS)
    assert listed(bf.texts()) == EVERYONE | OWNERS_AND_ADMINS
