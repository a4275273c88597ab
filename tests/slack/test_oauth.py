"""Multi-workspace install, the whole round trip: the install page, Slack's consent page (the fake's),
the redirect back with a code, oauth.v2.access, the installation stored in the coach's database, and
events from that workspace answered with its own token; token rotation; and uninstalling."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer, unused_port
from sqlalchemy import text
from sqlmodel import select

from adapters.runtime import Runtime, build_runtime
from adapters.web.app import build_app
from bot.audit.models import AuditEntry
from bot.config import load_settings
from bot.outbox.models import OutboxMessage
from bot.people.models import Identity
from bot.ports import FixedClock
from bot.store.db import Store
from tests.conftest import PROJECT
from tests.fakes.slack_api import CLIENT_ID, CLIENT_SECRET, FakeSlackApi, landed
from tests.slack.conftest import ADA, BOB, SECRET, SlackClient, fixture

# slack_sdk's oauth.v2.access still passes aiohttp.BasicAuth, which aiohttp 3.14 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
OTHER = "T222"  # a second workspace installing the coach


@pytest.fixture
def port() -> int:
    return unused_port()


@pytest.fixture
def public_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"  # COACH_PUBLIC_URL (plain http is allowed on loopback only)


@pytest.fixture
def oauth_runtime(
    database_url: str, store: Store, clock: FixedClock, fake: FakeSlackApi, public_url: str
) -> Runtime:
    manifest = json.loads((PROJECT / "manifest" / "slack.json").read_text())
    # The app as created from the manifest, with the real host.
    fake.redirect_urls = tuple(
        u.replace("https://coach.example.com", public_url) for u in manifest["oauth_config"]["redirect_urls"]
    )
    settings = load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_ADMINS="ada@example.com",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        COACH_PUBLIC_URL=public_url,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_API_URL=fake.base_url,
        COACH_QUOTA_SCALE=60,  # the fake counts a minute's quota per second
        _env_file=None,
    )
    return build_runtime(settings, clock=clock, store=store)


@pytest.fixture
async def http(oauth_runtime: Runtime, port: int) -> AsyncIterator[TestClient[Any, Any]]:
    client: TestClient[Any, Any] = TestClient(
        TestServer(build_app(oauth_runtime), host="127.0.0.1", port=port)
    )
    await client.start_server()
    yield client
    await client.close()


async def install(
    http: TestClient[Any, Any], fake: FakeSlackApi, *, team: str = "T111"
) -> dict[str, list[str]]:
    """A workspace admin opens /slack/install, clicks Add to Slack, allows, and comes back.
    Returns the consent link's query."""
    page = await http.get("/slack/install")
    assert page.status == 200
    link = re.search(r'href="([^"]+/oauth/v2/authorize\?[^"]+)"', await page.text())
    assert link is not None
    consent = unescape(link.group(1))
    assert consent.startswith(f"{fake.root}/oauth/v2/authorize?")  # Slack's consent page beside SLACK_API_URL
    async with aiohttp.ClientSession() as browser:
        allowed = await browser.get(f"{consent}&team={team}", allow_redirects=False)
        assert allowed.status == 302, await allowed.text()
        back = urlsplit(allowed.headers["Location"])
    # The state cookie is Secure (https only), so this plain-http client hands it back itself.
    cookie = page.cookies["slack-app-oauth-state"]
    done = await http.get(f"{back.path}?{back.query}", headers={"Cookie": f"{cookie.key}={cookie.value}"})
    assert done.status == 200, await done.text()
    return parse_qs(urlsplit(consent).query)


async def eventually(check: Any, *, within: float = 10.0) -> None:
    """Wait until `check()` (sync or async) is truthy: Bolt's listeners run after its ack."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _both_answered(fake: FakeSlackApi) -> bool:
    return {f"D{ADA}", f"D{BOB}"} <= {landed(p) for p in fake.to("chat.postMessage")}


def bots(runtime: Runtime) -> list[tuple[str, str]]:
    with runtime.store.database.connect() as conn:
        rows = conn.execute(text("SELECT team_id, bot_token FROM workspace_bot ORDER BY id")).all()
    return [(r.team_id, r.bot_token) for r in rows]


def event_from(team: str, user: str, message: str, *, event_id: str) -> dict[str, Any]:
    body = fixture("event_message_im_top_level.json")
    body["event"].update(user=user, text=message, channel=f"D{user}")
    body.update(team_id=team, enterprise_id=None, event_id=event_id)
    body["authorizations"][0].update(team_id=team, enterprise_id=None)
    return body


async def test_the_install_round_trip_stores_the_workspace_and_its_token_answers_it(
    http: TestClient[Any, Any], fake: FakeSlackApi, public_url: str
) -> None:
    manifest = json.loads((PROJECT / "manifest" / "slack.json").read_text())
    query = await install(http, fake, team=OTHER)
    redirect = f"{public_url}/slack/oauth_redirect"
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [redirect]
    assert query["scope"] == [",".join(manifest["oauth_config"]["scopes"]["bot"])]
    (access,) = fake.to("oauth.v2.access")
    assert access["redirect_uri"] == redirect  # Slack refuses an access call whose redirect_uri differs

    response = await SlackClient(http).event(event_from(OTHER, BOB, "help", event_id="Ev1"))
    assert response.status == 200
    await fake.wait_for_post("`settings`")  # the answer to `help`, after the welcome
    calls = [c for c in fake.calls if c.method == "chat.postMessage"]
    assert {c.token for c in calls} == {fake.token_of(OTHER)} != {fake.token}  # that workspace's own token


async def test_two_workspaces_each_get_their_own_token(
    http: TestClient[Any, Any], fake: FakeSlackApi, oauth_runtime: Runtime
) -> None:
    await install(http, fake)
    await install(http, fake, team=OTHER)
    assert [team for team, _ in bots(oauth_runtime)] == ["T111", OTHER]
    slack = SlackClient(http)
    await slack.event(event_from("T111", ADA, "help", event_id="Ev1"))
    await slack.event(event_from(OTHER, BOB, "help", event_id="Ev2"))
    await eventually(lambda: _both_answered(fake))
    tokens = {landed(c.args): c.token for c in fake.calls if c.method == "chat.postMessage"}
    assert tokens == {f"D{ADA}": fake.token, f"D{BOB}": fake.token_of(OTHER)}


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


async def test_a_state_from_another_browser_is_refused(
    http: TestClient[Any, Any], fake: FakeSlackApi
) -> None:
    page = await http.get("/slack/install")
    state = re.search(r"state=([\w-]+)", await page.text())
    assert state is not None
    response = await http.get(
        f"/slack/oauth_redirect?code={fake.oauth_code}&state={state.group(1)}",
        headers={"Cookie": "slack-app-oauth-state=someone-elses"},
    )
    assert response.status == 400
    assert fake.to("oauth.v2.access") == []


async def test_the_sender_uses_the_installed_token_even_for_a_bare_channel_address(
    http: TestClient[Any, Any], fake: FakeSlackApi, oauth_runtime: Runtime
) -> None:
    from bot.messages import text_message
    from bot.ports import Outgoing, PermanentFailure

    sender = oauth_runtime.dispatcher.senders["slack"]
    message = text_message("hello channel")
    with pytest.raises(PermanentFailure):  # not installed anywhere yet
        await sender.send(
            Outgoing(address={"team": "T111", "channel": "C1"}, message=message, idempotency_key="a")
        )
    await install(http, fake)
    await sender.send(
        Outgoing(address={"team": "T111", "channel": "C1"}, message=message, idempotency_key="b")
    )
    await sender.send(
        Outgoing(address={"channel": "C1"}, message=message, idempotency_key="c")
    )  # one install
    assert [p["channel"] for p in fake.to("chat.postMessage")] == ["C1", "C1"]


async def test_rotating_tokens_are_refreshed_before_use_inbound_and_outbound(
    http: TestClient[Any, Any], fake: FakeSlackApi, oauth_runtime: Runtime
) -> None:
    fake.rotation = True
    fake.token_lifetime = 600  # within the two hours before expiry when a token is refreshed
    await install(http, fake, team=OTHER)
    (first,) = [token for team, token in bots(oauth_runtime) if team == OTHER]
    assert first.startswith("xoxe.xoxb-")

    await SlackClient(http).event(event_from(OTHER, BOB, "help", event_id="Ev1"))
    await fake.wait_for("chat.postMessage")
    refreshes = [a for a in fake.to("oauth.v2.access") if a.get("grant_type") == "refresh_token"]
    assert refreshes and refreshes[0]["refresh_token"].startswith("xoxe-1-")
    reply = [c for c in fake.calls if c.method == "chat.postMessage"][-1]
    assert reply.token != first and reply.token == [t for team, t in bots(oauth_runtime) if team == OTHER][-1]

    from bot.messages import text_message
    from bot.ports import Outgoing

    before = len(refreshes)
    sender = oauth_runtime.dispatcher.senders["slack"]
    outgoing = Outgoing(
        address={"team": OTHER, "channel": "C1"}, message=text_message("hi"), idempotency_key="x"
    )
    await sender.send(outgoing)
    assert (
        len([a for a in fake.to("oauth.v2.access") if a.get("grant_type") == "refresh_token"]) == before + 1
    )
    last = [c for c in fake.calls if c.method == "chat.postMessage"][-1]
    assert last.token == fake.token_of(OTHER)  # the newest token, stored for every process


@pytest.mark.parametrize(
    "removal",
    [
        {"type": "app_uninstalled", "event_ts": "1.2"},
        {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}, "event_ts": "1.2"},
    ],
)
async def test_a_workspace_that_removes_the_coach_is_forgotten_and_admins_are_told(
    http: TestClient[Any, Any], fake: FakeSlackApi, oauth_runtime: Runtime, removal: dict[str, Any]
) -> None:
    await install(http, fake)
    await install(http, fake, team=OTHER)
    slack = SlackClient(http)
    await slack.event(event_from("T111", ADA, "hi", event_id="Ev1"))  # Ada, an admin, in T111
    await slack.event(event_from(OTHER, BOB, "hi", event_id="Ev2"))  # Bob in the other workspace
    await eventually(lambda: _both_answered(fake))  # both turns are committed before the removal
    fake.revoked.add(fake.token_of(OTHER))  # Slack revokes the token, then tells the app

    body = fixture("event_message_im_top_level.json")
    body.update(team_id=OTHER, enterprise_id=None, event=removal, event_id="Ev3")
    body["authorizations"][0].update(team_id=OTHER, enterprise_id=None)
    assert (await slack.event(body)).status == 200
    assert (await slack.event({**body, "event_id": "Ev3"})).status == 200  # a retry changes nothing more

    async def told() -> int:  # Bolt runs the listener after its ack
        await oauth_runtime.dispatcher.drain()
        to_ada = [p for p in fake.to("chat.postMessage") if landed(p) == f"D{ADA}"]
        return sum("removed from Slack workspace" in str(p) for p in to_ada)

    await eventually(told)
    await asyncio.sleep(0.2)  # time for the retry's listener, which must add nothing
    assert await told() == 1
    assert [team for team, _ in bots(oauth_runtime)] == ["T111"]  # its token is forgotten
    identities = oauth_runtime.store.run_sync(lambda s: s.exec(select(Identity)).all())
    assert {(i.workspace, i.reachable) for i in identities} == {("T111", True), (OTHER, False)}
    entries = oauth_runtime.store.run_sync(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "workspace.removed")).all()
    )
    assert [e.subject for e in entries] == [f"slack:{OTHER}"]


async def test_a_revoked_user_token_alone_changes_nothing(
    http: TestClient[Any, Any], fake: FakeSlackApi, oauth_runtime: Runtime
) -> None:
    await install(http, fake, team=OTHER)
    body = fixture("event_message_im_top_level.json")
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["UADA"]}, "event_ts": "1.2"}
    body.update(team_id=OTHER, enterprise_id=None, event=event, event_id="Ev9")
    body["authorizations"][0].update(team_id=OTHER, enterprise_id=None)
    assert (await SlackClient(http).event(body)).status == 200
    assert [team for team, _ in bots(oauth_runtime)] == [OTHER]
    rows = oauth_runtime.store.run_sync(lambda s: s.exec(select(OutboxMessage)).all())
    assert rows == []


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
