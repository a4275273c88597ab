"""A full run's log, read as an attacker and a data-protection officer would (hardening #1).

`coach run` as shipped (INFO logging), Slack over signed and unsigned requests, the APIs: the log must
hold no message text and no email, and a flood of unsigned requests must not flood the log.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.migrations.migrate import upgrade
from tests.fakes.slack_api import FakeSlackApi
from tests.process.coach import CoachProcess

SECRET = "log-hygiene-signing-secret"
TOKEN = "xoxb-log-hygiene"
EMAIL = "private.person@example.com"
TEXT = "THE-CONTRACT-RENEWS-SECRETLY"
pytestmark = pytest.mark.slow


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi(token=TOKEN)
    await fake.start()
    fake.add_user("UPRIV", email=EMAIL, name="Private Person")
    fake.add_user("UADA", email="ada.admin@example.com", name="Ada")
    yield fake
    await fake.close()


def _event(user: str, text: str, n: int) -> str:
    return json.dumps(
        {
            "token": "x",
            "team_id": "T111",
            "api_app_id": "A111",
            "type": "event_callback",
            "event_id": f"Ev{n:08d}",
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


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_full_run_logs_no_message_text_or_email_and_refusals_do_not_flood(
    database_url: str, tmp_path: Path, api: FakeSlackApi, log_format: str
) -> None:
    upgrade(database_url)
    coach = CoachProcess(
        env={
            "COACH_DATABASE_URL": database_url,
            "COACH_ADMINS": "ada.admin@example.com",
            "COACH_API_TOKEN": "api-token",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": api.base_url,
            "COACH_LOG_FORMAT": log_format,
            "COACH_QUOTA_SCALE": "60",
        },
        workdir=tmp_path,
    )
    coach.start()
    try:
        await coach.ready()
        async with aiohttp.ClientSession() as http:
            events = f"{coach.url}/slack/events"
            said = [
                ("UPRIV", f"hi {TEXT}"),
                ("UPRIV", f"flag {TEXT}"),
                ("UADA", f"admins add {EMAIL}"),
                ("UPRIV", f"friction {TEXT}"),
                ("UPRIV", f"settings {TEXT}"),
            ]
            for n, (user, text) in enumerate(said):
                body = _event(user, text, n)
                async with http.post(events, data=body, headers=_signed(body)) as response:
                    assert response.status == 200
            # unsigned replays of real events, and a large unsigned body
            for n in range(200):
                body = _event("UPRIV", f"{TEXT} {EMAIL}", 1000 + n)
                async with http.post(events, data=body, headers={"Content-Type": "application/json"}) as r:
                    assert r.status == 401
            big = json.dumps({"text": TEXT * 100_000})
            async with http.post(events, data=io.BytesIO(big.encode()), headers={"Content-Type": "application/json"}) as response:
                assert response.status == 413
                assert "error" in await response.json()
            usage = [{"id": "u1", "person": EMAIL, "system": "assistant", "at": "2026-11-23T09:00:00+00:00"}]
            headers = {"Authorization": "Bearer api-token"}
            async with http.post(f"{coach.url}/api/v1/usage", json=usage, headers=headers) as response:
                assert response.status < 500
            async with http.get(f"{coach.url}/healthz?as={EMAIL}") as response:
                assert response.status == 200
        await _settle(api)
    finally:
        coach.stop()
    log = coach.log()
    assert "/slack/events" in log  # the access log is there, and yet
    assert EMAIL not in log and "ada.admin@example.com" not in log
    assert TEXT not in log
    refusals = [line for line in log.splitlines() if "refused" in line and "unsigned" in line]
    assert 1 <= len(refusals) <= 3, refusals  # counted, at most once a minute
    assert len(log) < 200 * 300, "a line per request at most"
    if log_format == "json":  # every line is one JSON object; the access lines carry their request id
        lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        access = [line for line in lines if line["logger"] == "aiohttp.access"]
        assert access and all(line["request_id"] and line["http"]["path"] for line in access)


async def _settle(api: FakeSlackApi) -> None:
    """Give the work after the acks time to reach the fake (welcome and answers)."""
    for _ in range(200):
        if len(api.calls) >= 5:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
