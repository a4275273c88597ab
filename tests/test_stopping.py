"""Stopping `coach run` is quick and loses nothing (#13 item 14): a real process, SIGTERM.

Open local chat tabs are closed at once with 1001 Going Away (they reconnect) instead of holding the
stop; work Slack was told was received is finished (or parked for the next start), and a stop that
takes longer than 3 s says in the log what it is waiting for.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.migrations.migrate import upgrade
from tests.fakes.slack_api import FakeSlackApi
from tests.process.coach import CoachProcess

pytestmark = pytest.mark.slow
SECRET = "stopping-signing-secret"
TOKEN = "xoxb-stopping"
HANG_GUARD = 30.0  # seconds: only stops a broken run from hanging


async def closed(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    """Read until the server closes the socket; its close code."""
    async for _ in ws:
        pass
    return ws.close_code


async def test_sigterm_closes_open_tabs_at_once_and_the_process_ends(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    coach = CoachProcess(env={"COACH_DATABASE_URL": database_url}, workdir=tmp_path)
    coach.start()
    try:
        await coach.ready()
        async with aiohttp.ClientSession() as http:
            tabs = []
            for email in ("ada@example.com", "omar@example.com", "uma@example.com"):
                ws = await http.ws_connect(f"{coach.url}/local/ws", params={"as": email})
                assert (await ws.receive_json())["type"] == "history"
                tabs.append(ws)
            assert coach.process is not None
            began = time.monotonic()
            coach.process.send_signal(signal.SIGTERM)
            codes = await asyncio.wait_for(asyncio.gather(*(closed(ws) for ws in tabs)), HANG_GUARD)
            exit_code = await asyncio.to_thread(coach.process.wait, HANG_GUARD)
            took = time.monotonic() - began
    finally:
        coach.stop()
    log = coach.log()
    assert codes == [aiohttp.WSCloseCode.GOING_AWAY] * 3, log
    assert exit_code == 0, log
    assert took < 3, f"stopping took {took:.1f} s:\n{log}"  # it took 21 s, waiting on the tabs
    assert "stopping on SIGTERM" in log and "closing 3 local chat tab(s)" in log
    assert "stopped in" in log and "still stopping" not in log


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi(token=TOKEN)
    await fake.start()
    fake.add_user("UBOB", email="bob@example.com", name="Bob")
    yield fake
    await fake.close()


async def test_a_slow_stop_names_what_it_waits_for_and_finishes_the_acked_work(
    database_url: str, tmp_path: Path, api: FakeSlackApi
) -> None:
    upgrade(database_url)
    coach = CoachProcess(
        env={
            "COACH_DATABASE_URL": database_url,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": api.base_url,
            "COACH_QUOTA_SCALE": "60",
        },
        workdir=tmp_path,
    )
    posting = api.hold("chat.postMessage")
    coach.start()
    try:
        await coach.ready()
        body = _dm("UBOB", "help")
        async with aiohttp.ClientSession() as http, http.post(
            f"{coach.url}/slack/events", data=body, headers=_signed(body)
        ) as response:
            assert response.status == 200  # acked: Slack will not send it again
        await api.wait_for("users.info")  # the work after the ack has started; its reply is held
        assert coach.process is not None
        coach.process.send_signal(signal.SIGTERM)
        await _log_has(coach, "still stopping after 3 s")
        posting.set()
        exit_code = await asyncio.to_thread(coach.process.wait, HANG_GUARD)
    finally:
        posting.set()
        coach.stop()
    log = coach.log()
    assert exit_code == 0, log
    assert "still stopping after 3 s, waiting for: 1 Slack event(s) being handled, 0 queued" in log
    await api.wait_for_post("Here is what I can do for you")  # answered before the process ended


async def _log_has(coach: CoachProcess, text: str) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while text not in coach.log():
        assert time.monotonic() < deadline, f"the log never said {text!r}:\n{coach.log()}"
        await asyncio.sleep(0.1)


def _dm(user: str, text: str) -> str:
    return json.dumps(
        {
            "token": "x",
            "team_id": "T111",
            "api_app_id": "A111",
            "type": "event_callback",
            "event_id": "EvStop1",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": f"D{user}",
                "user": user,
                "text": text,
                "ts": f"{time.time():.6f}",
            },
        }
    )


def _signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    assert signature
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}
