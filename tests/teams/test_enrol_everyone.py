"""`enrol everyone` on Teams over Bot Framework activities: the roster is the paged members of the teams
of the channels the coach has seen (no tenant roster without Graph); the admin gets the count first,
`enrol everyone confirm` enrols; members of a team can be written to without the app (the first message
creates the 1:1 conversation), so none counts as unreachable here."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import Session, select

from adapters.runtime import Runtime
from bot.outbox.models import SendPace
from bot.people.models import Identity
from bot.programmes.models import Enrolment
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import Teams
from tests.teams.test_enrol_channel import CHANNEL, in_channel, member


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapters.teams.directory.PAGE_SIZE", 2)


async def test_enrol_everyone_reads_the_teams_rosters_after_a_confirm(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    bf.members[CHANNEL] = [member("ada", "Ada Lovelace"), member("bob", "Bob"), member("cal", "Cal")]
    assert (await teams.post(teams.personal("hi"))).status == 201  # Ada installed the app
    assert (await teams.post(in_channel(teams, "owners"))).status == 201  # the coach sees the channel

    assert (await teams.post(teams.personal("enrol everyone"))).status == 201
    await teams_runtime.run_due_work()
    count = "\n".join(bf.texts())
    assert "There are 3 people in this workspace (0 of them can't be reached yet)" in count
    pages = Counter((c, q.get("continuationToken")) for c, q in bf.member_requests)
    # Read page by page: by the enrolment, and by the directory match for the owners known by email,
    # which may run beside it.
    assert set(pages) == {(CHANNEL, None), (CHANNEL, "2")} and pages[(CHANNEL, None)] == pages[(CHANNEL, "2")]

    def state(session: Session) -> tuple[int, dict[str, bool]]:
        enrolled = len(session.exec(select(Enrolment)).all())
        ids = {i.user_id: i.reachable for i in session.exec(select(Identity)).all()}
        return enrolled, ids

    assert teams_runtime.store.run_sync(state)[0] == 1  # only Ada, at her first contact

    assert (await teams.post(teams.personal("enrol everyone confirm"))).status == 201
    await teams_runtime.run_due_work()
    notice = "\n".join(bf.texts())
    assert "Enrolled 2 of 3 people from this workspace" in notice
    assert "(1 already enrolled, 0 can't be reached yet)" in notice
    enrolled, reachable = teams_runtime.store.run_sync(state)
    assert enrolled == 3
    assert reachable == {"aad-ada": True, "aad-bob": True, "aad-cal": True}


async def test_a_roster_page_refused_with_429_pauses_the_tenant_and_is_read_again(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    bf.members[CHANNEL] = [member("ada", "Ada Lovelace"), member("bob", "Bob"), member("cal", "Cal")]
    assert (await teams.post(teams.personal("hi"))).status == 201
    assert (await teams.post(in_channel(teams, "owners"))).status == 201
    bf.members_refused, bf.retry_after = 1, "0"  # Teams refuses the first page once, asking no pause
    assert (await teams.post(teams.personal("enrol everyone"))).status == 201
    await teams_runtime.run_due_work()
    assert "There are 3 people in this workspace" in "\n".join(bf.texts())
    # The refused first page read again; the directory match (owners known by email) reads the roster too.
    assert Counter(q.get("continuationToken") for _, q in bf.member_requests) == {None: 3, "2": 2}
    paces = teams_runtime.store.run_sync(lambda s: list(s.exec(select(SendPace)).all()))
    (pace,) = [p for p in paces if p.key == "teams:tenant-1:send"]
    assert pace.rate < 40  # the tenant's pace, every process's, resumes slower after the refusal
