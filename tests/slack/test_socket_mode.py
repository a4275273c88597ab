"""Socket Mode: with SLACK_APP_TOKEN the app connects out over a WebSocket; no HTTP route, no secret."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from adapters.runtime import build_runtime
from adapters.web.app import build_app
from bot.config import load_settings
from bot.ports import FixedClock
from bot.store.db import Store
from tests.conftest import PROJECT
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import BOB, TOKEN, fixture


async def test_socket_mode_answers_a_dm(
    database_url: str, store: Store, clock: FixedClock, fake: FakeSlackApi
) -> None:
    settings = load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_APP_TOKEN=fake.app_token,
        SLACK_API_URL=fake.base_url,
        COACH_QUOTA_SCALE=60,  # the fake counts a minute's quota per second
        _env_file=None,
    )
    http: TestClient[Any, Any] = TestClient(
        TestServer(build_app(build_runtime(settings, clock=clock, store=store)))
    )
    await http.start_server()
    try:
        assert fake.to("apps.connections.open")  # connected at start-up, through SLACK_API_URL
        body = fixture("event_message_im_top_level.json")
        body["event"].update(user=BOB, channel=f"D{BOB}", text="help")
        ack = await fake.push(
            {"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False, "payload": body}
        )
        assert ack["envelope_id"] == "env-1"
        posts = await fake.wait_for("chat.postMessage", 2)
        assert "`settings`" in str(posts[-1]["blocks"])
        response = await http.post("/slack/events", data=b"{}")
        assert response.status in (404, 405)  # no HTTP endpoint without a signing secret
    finally:
        await http.close()
