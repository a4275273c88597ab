"""Multi-workspace install: OAuth v2 through Bolt's flow, installations stored in the coach's database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.runtime import Runtime, build_runtime
from adapters.web.app import build_app
from bot.config import load_settings
from bot.ports import FixedClock
from bot.store.db import Store
from tests.conftest import PROJECT
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import ADA, BOB, SECRET, SlackClient

# slack_sdk's oauth.v2.access still passes aiohttp.BasicAuth, which aiohttp 3.14 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@pytest.fixture
def oauth_runtime(database_url: str, store: Store, clock: FixedClock, fake: FakeSlackApi) -> Runtime:
    settings = load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_ADMINS="ada@example.com",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_API_URL=fake.base_url,
        _env_file=None,
    )
    return build_runtime(settings, clock=clock, store=store)


@pytest.fixture
async def http(oauth_runtime: Runtime) -> AsyncIterator[TestClient[Any, Any]]:
    client: TestClient[Any, Any] = TestClient(TestServer(build_app(oauth_runtime), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


async def install(http: TestClient[Any, Any], fake: FakeSlackApi) -> None:
    page = await http.get("/slack/install")
    assert page.status == 200
    text = await page.text()
    state = re.search(r"state=([\w-]+)", text)
    assert state is not None
    assert f'href="{fake.root}/oauth/v2/authorize?' in text  # Slack's consent page beside SLACK_API_URL
    # The state cookie is Secure (https only), so this plain-http client hands it back itself.
    cookie = page.cookies["slack-app-oauth-state"]
    done = await http.get(
        f"/slack/oauth_redirect?code={fake.oauth_code}&state={state.group(1)}",
        headers={"Cookie": f"{cookie.key}={cookie.value}"},
    )
    assert done.status == 200, await done.text()
    assert fake.to("oauth.v2.access")


async def test_install_then_answer_with_the_installed_token(
    http: TestClient[Any, Any], fake: FakeSlackApi, oauth_runtime: Runtime
) -> None:
    await install(http, fake)
    slack = SlackClient(http)
    await slack.dm(BOB, "help", event_id="Ev1")
    posts = await fake.wait_for("chat.postMessage", 2)  # the fake accepts only the installed token
    assert "`settings`" in str(posts[-1]["blocks"])

    await slack.dm(ADA, "admins add bob@example.com", event_id="Ev2")
    await fake.wait_for("chat.postMessage", 5)  # the outbox found the workspace's bot token
    assert any(
        "made you an" in str(p["blocks"]) for p in fake.to("chat.postMessage") if p["channel"] == f"D{BOB}"
    )


async def test_events_from_a_workspace_not_installed_are_refused(
    http: TestClient[Any, Any], fake: FakeSlackApi
) -> None:
    response = await SlackClient(http).dm(BOB, "help", event_id="Ev1")
    assert response.status == 200  # Bolt acks, but no installation means no token and no answer
    assert fake.to("chat.postMessage") == []


async def test_a_wrong_state_is_refused(http: TestClient[Any, Any], fake: FakeSlackApi) -> None:
    response = await http.get(f"/slack/oauth_redirect?code={fake.oauth_code}&state=forged")
    assert response.status == 400
    assert fake.to("oauth.v2.access") == []


async def test_the_sender_uses_the_installed_token_even_for_a_bare_channel_address(
    http: TestClient[Any, Any], fake: FakeSlackApi, oauth_runtime: Runtime
) -> None:
    from bot.messages import text_message
    from bot.ports import Delivery, PermanentFailure

    sender = oauth_runtime.dispatcher.senders["slack"]
    message = text_message("hello channel")
    with pytest.raises(PermanentFailure):  # not installed anywhere yet
        await sender.send(
            Delivery(address={"team": "T111", "channel": "C1"}, message=message, idempotency_key="a")
        )
    await install(http, fake)
    await sender.send(
        Delivery(address={"team": "T111", "channel": "C1"}, message=message, idempotency_key="b")
    )
    await sender.send(
        Delivery(address={"channel": "C1"}, message=message, idempotency_key="c")
    )  # one install
    assert [p["channel"] for p in fake.to("chat.postMessage")] == ["C1", "C1"]


@pytest.mark.parametrize(
    ("api", "consent"),
    [
        ("https://slack.com/api/", "https://slack.com/oauth/v2/authorize"),
        ("https://slack-gov.com/api", "https://slack-gov.com/oauth/v2/authorize"),
    ],
)
def test_the_consent_page_follows_the_web_api(api: str, consent: str) -> None:
    from adapters.slack.oauth import authorize_url

    assert authorize_url(api) == consent
