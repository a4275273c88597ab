"""`help` in a personal chat through the real CloudAdapter lists what the person may do, nothing else."""

from __future__ import annotations

from tests import test_help_roles as roles
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import Teams
from tests.test_help_roles import typed

ADMIN_SEES = (roles.EVERYONE, roles.OWNERS, roles.DECISION_LOG, roles.ANNOUNCERS, roles.TRIAGE, roles.ADMINS)

# The same roles as the engine-level test, so a new command is declared once.
EVERYONE = {typed(usage) for usage in roles.EVERYONE}
# Ada holds no owner role here (an admin by COACH_ADMINS alone), so she has no roles to confirm.
ADMIN = {typed(usage) for usage in set().union(*ADMIN_SEES)} - {"owners confirm"}


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
    assert listed(bf.texts()) == ADMIN
