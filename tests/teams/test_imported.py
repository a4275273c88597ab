"""Issue 15 on Teams: 1,000 people imported by email, matched through the paged roster of a team whose
channel the coach has seen, all receive an announcement through the fake Bot Framework (which enforces
Teams' per-conversation and per-tenant limits, time-compressed like the coach's pacing), none doubled, and
each 1:1 conversation is created once, across a restart."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import Session, select

from adapters.runtime import Runtime, build_runtime
from adapters.web.app import build_app
from bot.config import Settings, load_settings
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people import service as people
from bot.ports import FixedClock
from bot.store.db import Store
from tests.conftest import PROJECT
from tests.fakes.teams_connector import APP_ID, FakeBotFramework
from tests.slack.test_quotas import announce
from tests.teams.conftest import Teams, endpoint_settings
from tests.teams.test_enrol_channel import CHANNEL, in_channel, member

IMPORTED = 1000
SCALE = 10.0  # Teams' windows 10× shorter on both sides, so 2,000 requests take seconds, not a minute


@pytest.fixture
def teams_settings(database_url: str, bf: FakeBotFramework) -> Settings:
    bf.time_scale = SCALE
    return load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_ADMINS="aad-ada",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        COACH_QUOTA_SCALE=str(SCALE),
        TEAMS_APP_ID=APP_ID,
        **endpoint_settings(bf.base_url),
        _env_file=None,
    )


def delivered(bf: FakeBotFramework, title: str) -> Counter[str]:
    """Conversation -> how many activities carrying `title` reached it."""
    return Counter(c.conversation_id for c in bf.calls if c.method == "POST" and title in json.dumps(c.body))


async def drain(runtime: Runtime, clock: FixedClock) -> None:
    for _ in range(200):
        await runtime.run_due_work()
        pending = await runtime.store.run(
            lambda s: s.exec(select(OutboxMessage).where(OutboxMessage.state == OutboxState.pending)).all()
        )
        if not pending:
            return
        clock.advance(seconds=5)  # a row told to retry later becomes due
    raise AssertionError(f"{len(pending)} messages still pending")


async def test_people_imported_by_email_reached_through_a_team_roster_each_once(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime, teams_settings: Settings, store: Store,
    clock: FixedClock,
) -> None:  # fmt: skip
    bf.members[CHANNEL] = [member(f"p{n:04d}", f"Person {n}") for n in range(IMPORTED)]
    assert (await teams.post(teams.personal("hi"))).status == 201  # Ada installed the app
    assert (await teams.post(in_channel(teams, "owners"))).status == 201  # the coach sees the team's channel
    now = clock.now()

    def imported(session: Session) -> None:
        for n in range(IMPORTED):
            people.ensure_by_email(session=session, email=f"p{n:04d}@example.com", now=now)

    await store.run(imported)
    await teams_runtime.run_due_work()  # the match: the roster's pages, not a lookup per person
    assert [c for c, _ in bf.member_requests] == [CHANNEL] * (IMPORTED // 100)

    await announce(teams_runtime, "Compass is down")
    await drain(teams_runtime, clock)
    first = delivered(bf, "Compass is down")
    wanted = {f"a:1on1-29:p{n:04d}" for n in range(IMPORTED)}
    assert wanted <= set(first)
    assert max(first.values()) == 1  # none doubled
    assert set(bf.created) == {f"29:p{n:04d}" for n in range(IMPORTED)}
    created = len(bf.created)  # once each, or again after a send refused for now (Teams: the same id)

    again = build_runtime(teams_settings, clock=clock, store=store)  # a restart: new memory, same database
    async with TestClient(TestServer(build_app(again))):  # its connections closed at the end
        await announce(again, "Compass is back")
        await drain(again, clock)
    second = delivered(bf, "Compass is back")
    assert wanted <= set(second) and max(second.values()) == 1
    assert len(bf.created) == created  # none created again: the stored conversations were used
