"""A stop parks the Slack events it acknowledged but could not handle in time; the next start answers
them (Slack never sends an acknowledged event again)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.runtime import Runtime, build_runtime
from adapters.slack.app import SLACK
from adapters.web.app import build_app
from bot.config import Settings
from bot.inbox import service as inbox
from bot.ports import FixedClock
from bot.store.db import Store
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import BOB, SlackClient

HANG_GUARD = 20.0  # seconds: only stops a broken run from hanging


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while not await check():
        assert time.monotonic() < deadline, "it never happened"
        await asyncio.sleep(0.01)


async def test_a_stop_parks_what_it_acked_and_the_next_start_answers_it(
    slack_runtime: Runtime,
    slack_settings: Settings,
    fake: FakeSlackApi,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app = build_app(slack_runtime)
    after_ack = app[SLACK].after_ack
    after_ack.workers, after_ack.drain_seconds = 1, 0.1  # one job running, the next one queued
    http: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await http.start_server()
    slack = SlackClient(http)
    posting = fake.hold("chat.postMessage")
    assert (await slack.dm(BOB, "help", event_id="Ev1")).status == 200

    async def running() -> bool:
        return after_ack.running == 1

    await eventually(running)
    assert (await slack.dm(BOB, "settings", event_id="Ev2")).status == 200  # acked, then queued

    stopping = asyncio.create_task(http.close())
    store = slack_runtime.store

    async def parked() -> bool:
        return await store.read(lambda s: inbox.waiting(session=s, platform="slack"))

    await eventually(parked)
    posting.set()  # the running job finishes within the stop
    await stopping
    await fake.wait_for_post("Here is what I can do for you")
    assert "parked 1 Slack events" in caplog.text
    assert not [p for p in fake.to("chat.postMessage") if "Your settings" in str(p)]

    restarted = Store(slack_settings.database_url)  # the next process: nothing shared but the database
    try:
        runtime = build_runtime(slack_settings, clock=clock, store=restarted)
        async with TestClient(TestServer(build_app(runtime), host="127.0.0.1")):
            answer = await fake.wait_for_post("Your settings")
        assert answer["channel"] == f"D{BOB}"
        assert not await restarted.read(lambda s: inbox.waiting(session=s, platform="slack"))
    finally:
        restarted.close()
