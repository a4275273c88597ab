"""Issue #5: kill `coach run` (SIGKILL) in the middle of a 10,000-message drain, restart, count deliveries.

Real processes, the real Slack sender and a local fake of Slack's Web API. On PostgreSQL two
processes drain together after the restart (claims skip each other's rows); SQLite runs one.
A row the killed process sent but had not marked is claimed again after the lease, and the sender
looks back for its key in the channel's history before posting, so nothing arrives twice.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.messages import text_message
from bot.migrations.migrate import upgrade
from bot.outbox import service as outbox
from bot.outbox.models import OutboxMessage, OutboxState
from bot.ports import SystemClock
from bot.store.db import Store
from tests.conftest import postgres_url
from tests.fakes.slack_api import FakeSlackApi
from tests.process.coach import on_fake_slack

MESSAGES = 10_000
pytestmark = pytest.mark.slow


def _coach(url: str, api: FakeSlackApi, workdir: Path) -> subprocess.Popen[bytes]:
    settings = {
        "COACH_OUTBOX_LEASE_SECONDS": "3",
        "COACH_QUOTA_SCALE": "60",  # the fake counts a minute's quota per second
        "SLACK_SIGNING_SECRET": "crash-test-secret",
    }
    return on_fake_slack(url, api, cwd=workdir, settings=settings)


def _posted(api: FakeSlackApi) -> Counter[str]:
    keys: Counter[str] = Counter()
    for messages in api.history.values():
        for message in messages:
            keys[message["metadata"]["event_payload"]["key"]] += 1
    return keys


async def _wait_for(condition, limit: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the drain did not get there in time")
        await asyncio.sleep(0.1)


async def test_sigkill_mid_drain_delivers_every_message_once(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    store = Store(database_url)
    now = SystemClock().now()
    message = text_message("Compass was updated: answers now cite their sources.")
    with store.session() as session:
        for i in range(MESSAGES):
            outbox.enqueue(
                session=session,
                key=f"crash:{i}",
                platform="slack",
                address={"team": "T111", "user": f"U{i}", "channel": f"D{i}"},
                message=message,
                now=now,
            )
    api = FakeSlackApi()
    await api.start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        first = _coach(database_url, api, tmp_path)
        processes.append(first)
        await _wait_for(lambda: len(_posted(api)) >= MESSAGES // 4, limit=240)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = len(_posted(api))
        assert killed_at < MESSAGES, "the drain finished before the kill: nothing was tested"

        restarts = 2 if postgres_url() else 1
        processes += [_coach(database_url, api, tmp_path) for _ in range(restarts)]

        def all_sent() -> bool:
            return (
                store.run_sync(
                    lambda s: s.exec(
                        select(func.count())
                        .select_from(OutboxMessage)
                        .where(OutboxMessage.state == OutboxState.sent)
                    ).one()
                )
                == MESSAGES
            )

        await _wait_for(all_sent, limit=600)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        await api.close()
        store.close()

    posted = _posted(api)
    assert len(posted) == MESSAGES, f"{MESSAGES - len(posted)} messages lost"
    doubled = [key for key, n in posted.items() if n > 1]
    assert doubled == [], f"{len(doubled)} messages delivered twice"
