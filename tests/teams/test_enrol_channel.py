"""`enrol channel` in a Teams channel: the connector's paged members endpoint lists the roster; people
are enrolled, and those who never installed the app are reachable all the same (they share a team with the
bot: the first message creates the 1:1 conversation)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlmodel import Session, select

from adapters.runtime import Runtime
from bot.people.models import Identity
from bot.programmes.channel import ENROL_CHANNEL
from bot.programmes.models import Enrolment
from bot.schedule.models import DueWork
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import BOT, TENANT, Teams

CHANNEL = "19:general@thread.skype"


def member(user: str, name: str) -> dict[str, Any]:
    return {
        "id": f"29:{user}",
        "name": name,
        "aadObjectId": f"aad-{user}",
        "email": f"{user}@example.com",
        "userPrincipalName": f"{user}@example.com",
        "tenantId": TENANT,
        "userRole": "user",
    }


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapters.teams.directory.PAGE_SIZE", 2)


def in_channel(teams: Teams, text: str) -> dict[str, Any]:
    activity = teams.personal(f"<at>Coach</at> {text}", id="1700")
    activity["conversation"] = {
        "id": f"{CHANNEL};messageid=1700",
        "conversationType": "channel",
        "isGroup": True,
        "tenantId": TENANT,
    }
    activity["entities"] = [
        {"type": "mention", "mentioned": {"id": BOT["id"], "name": "Coach"}, "text": "<at>Coach</at>"}
    ]
    return activity


async def test_mention_in_a_channel_enrols_the_roster(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    bf.members[CHANNEL] = [member("ada", "Ada Lovelace"), member("bob", "Bob"), member("cal", "Cal")]
    assert (await teams.post(teams.personal("hi"))).status == 201  # Ada installed the app
    assert (await teams.post(in_channel(teams, "enrol channel"))).status == 201
    assert "I'll enrol the people in that channel" in "\n".join(bf.texts())

    await teams_runtime.run_due_work()  # the turn queued the job before it answered
    pages = Counter((c, q.get("continuationToken")) for c, q in bf.member_requests)
    # Read page by page: by the enrolment, and by the directory match for the owners known by email,
    # which may run beside it.
    assert set(pages) == {(CHANNEL, None), (CHANNEL, "2")} and pages[(CHANNEL, None)] == pages[(CHANNEL, "2")]
    notice = "\n".join(bf.texts())
    assert "Enrolled 2 of 3 people" in notice
    assert "(1 already enrolled, 0 can't be reached yet)" in notice

    def state(session: Session) -> tuple[int, dict[str, bool]]:
        enrolled = len(session.exec(select(Enrolment)).all())
        ids = {i.user_id: i.reachable for i in session.exec(select(Identity)).all()}
        return enrolled, ids

    enrolled, reachable = teams_runtime.store.run_sync(state)
    assert enrolled == 3
    assert reachable == {"aad-ada": True, "aad-bob": True, "aad-cal": True}

    def jobs(session: Session) -> list[str]:
        return [j.state for j in session.exec(select(DueWork).where(DueWork.kind == ENROL_CHANNEL)).all()]

    assert teams_runtime.store.run_sync(jobs) == ["done"]
