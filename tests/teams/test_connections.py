"""The coach keeps its connections to the Bot Connector alive: one client per service URL, reused by every
turn and every proactive send (issue 16: a new HTTPS connection per call was most of Teams' CPU)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from adapters.runtime import Runtime
from adapters.web.app import build_app
from bot.outbox.models import SendPace
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


async def test_replies_count_against_their_own_tenants_window(teams: Teams, teams_runtime: Runtime) -> None:
    """Teams sends `tenantId`, botbuilder reads `tenantID`: taken from botbuilder, every tenant's replies
    shared one window, and the whole coach answered 40 messages a second. The windows are the ones the
    outbox's sends count in too (an empty throttle is falsy: the bot once built its own); each tenant's
    quota is a row of the pace every process shares."""
    sender = teams_runtime.dispatcher.senders["teams"]
    throttle = sender.throttle  # type: ignore[attr-defined]
    for tenant in ("tenant-a", "tenant-b"):
        activity = teams.personal("help", user=f"u-{tenant}", name="Tess")
        activity["conversation"] = {**activity["conversation"], "tenantId": tenant}
        activity["channelData"] = {"tenant": {"id": tenant}}
        assert (await teams.post(activity)).status == 201
    assert len(throttle) == 2  # two conversations
    keys = teams_runtime.store.run_sync(lambda s: set(s.exec(select(SendPace.key)).all()))
    assert keys == {"teams:tenant-a:send", "teams:tenant-b:send"}


def test_an_activity_is_written_as_botbuilders_model_writes_it() -> None:
    """Sends go over aiohttp with the card content written as it is: the same JSON msrest's serializer makes."""
    from botbuilder.schema import ChannelAccount, ConversationAccount

    from adapters.teams.connector_http import activity_json
    from adapters.teams.render import render_message
    from adapters.teams.sender import card_activity
    from bot.messages import Actions, Button, Header, Message, Text

    message = Message(
        summary="Here",
        blocks=(
            Header("Hi **there**"),
            Text("- a\n- b <&>"),
            Actions((Button("help.show", "Help", value="x|y"),)),
        ),
    )
    activity = card_activity(render_message(message), summary="Here")
    activity.conversation = ConversationAccount(id="a:1;messageid=2", tenant_id="t")
    activity.from_property, activity.recipient = (
        ChannelAccount(id="28:bot"),
        ChannelAccount(id="29:u", name="Ü"),
    )
    assert orjson.loads(activity_json(activity)) == activity.serialize()


async def test_members_calls_from_many_threads_keep_their_connections(
    bf: FakeBotFramework, caplog: pytest.LogCaptureFixture
) -> None:
    """Calls still made by botbuilder's client (members) go through `requests` from asyncio's default
    executor, up to 32 threads at once on a large machine; a pool of urllib3's default 10 per host
    discarded the rest of the connections ("Connection pool is full") and opened new ones next time."""
    from botframework.connector.auth import MicrosoftAppCredentials

    from adapters.teams.connectors import ConnectorPool

    threads = 16
    bf.members["19:team"] = [{"id": "29:a", "name": "A"}]
    bf.keep_alive = True
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=threads)  # as on a machine with 12 cores
    loop.set_default_executor(executor)
    pool = ConnectorPool()
    client = pool.client(("", bf.base_url, "scope"), MicrosoftAppCredentials("", ""))
    try:
        bf.members_barrier = asyncio.Barrier(threads)  # every call in flight at once
        for _ in range(2):
            members = client.conversations.get_teams_conversation_paged_members
            pages = await asyncio.gather(*(members("19:team", 10) for _ in range(threads)))
            assert all(page.members for page in pages)
    finally:
        await pool.close()
    assert "Connection pool is full" not in caplog.text
    assert len(bf.connections) == threads  # the second round reused every connection of the first
