"""The coach keeps its connections to the Bot Connector alive: one client per service URL, reused by every
turn and every proactive send (issue 16: a new HTTPS connection per call was most of Teams' CPU)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.runtime import Runtime
from adapters.web.app import build_app
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import Teams, serve


@pytest.fixture
async def bf() -> AsyncIterator[FakeBotFramework]:
    async with serve(FakeBotFramework(keep_alive=True)) as fake:
        yield fake


@pytest.fixture
async def client(teams_runtime: Runtime) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(build_app(teams_runtime))) as test_client:
        yield test_client  # closing the app closes the coach's connections before the fake stops


async def test_turns_and_proactive_sends_share_kept_alive_connections(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    people = [f"user{n}" for n in range(6)]
    for person in people:
        assert (await teams.post(teams.personal("hello", user=person, name=person.title()))).status == 201
        assert (await teams.post(teams.personal("help", user=person, name=person.title()))).status == 201
    await teams_runtime.dispatcher.drain()
    conversations = {call.conversation_id for call in bf.calls}
    assert len(conversations) == len(people) and len(bf.calls) >= 2 * len(people)
    assert len(bf.connections) <= 2, f"{len(bf.connections)} connections for {len(bf.calls)} calls"
