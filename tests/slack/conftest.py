"""The real coach server with Slack enabled, its Web API pointed at a local fake, and a signed client."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from adapters.runtime import Runtime, build_runtime
from adapters.web.app import build_app
from bot.config import Settings, load_settings
from bot.ports import FixedClock
from bot.store.db import Store
from tests.conftest import PROJECT
from tests.fakes.slack_api import FakeSlackApi

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-token"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"
ADA = "UADA"  # an admin (COACH_ADMINS=ada@example.com)
BOB = "UBOB"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


@dataclass
class SlackClient:
    """Sends signed requests the way Slack does: JSON events, form-encoded interactivity and commands."""

    http: TestClient[Any, Any]
    secret: str = SECRET

    async def send(self, body: str, *, content_type: str, headers: dict[str, str] | None = None,
                   timestamp: int | None = None, secret: str | None = None) -> ClientResponse:  # fmt: skip
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret or self.secret).generate_signature(timestamp=ts, body=body)
        assert signature is not None
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        return await self.http.post("/slack/events", data=body.encode(), headers=all_headers)

    async def event(self, payload: dict[str, Any], **kwargs: Any) -> ClientResponse:
        return await self.send(json.dumps(payload), content_type="application/json", **kwargs)

    async def interaction(self, payload: dict[str, Any], **kwargs: Any) -> ClientResponse:
        body = f"payload={quote(json.dumps(payload))}"
        return await self.send(body, content_type="application/x-www-form-urlencoded", **kwargs)

    async def command(self, fields: dict[str, str], **kwargs: Any) -> ClientResponse:
        return await self.send(urlencode(fields), content_type="application/x-www-form-urlencoded", **kwargs)

    async def dm(self, user: str, text: str, *, event_id: str, **kwargs: Any) -> ClientResponse:
        body = fixture("event_message_im_top_level.json")
        body["event"].update(user=user, text=text, channel=f"D{user}", ts=f"{time.time():.6f}")
        body["event_id"] = event_id
        return await self.event(body, **kwargs)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi(token=TOKEN)
    await api.start()
    api.add_user(ADA, email="ada@example.com", name="Ada")
    api.add_user(BOB, email="bob@example.com", name="Bob", tz="America/New_York")
    yield api
    await api.close()


@pytest.fixture
def slack_settings(database_url: str, fake: FakeSlackApi) -> Settings:
    return load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_ADMINS="ada@example.com",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=fake.base_url,
        COACH_QUOTA_SCALE=60,  # the fake counts a minute's quota per second
        _env_file=None,
    )


@pytest.fixture
def slack_runtime(slack_settings: Settings, store: Store, clock: FixedClock) -> Runtime:
    return build_runtime(slack_settings, clock=clock, store=store)


@pytest.fixture
async def slack(slack_runtime: Runtime) -> AsyncIterator[SlackClient]:
    server = TestServer(build_app(slack_runtime), host="127.0.0.1")
    http: TestClient[Any, Any] = TestClient(server)
    await http.start_server()
    yield SlackClient(http)
    await http.close()
