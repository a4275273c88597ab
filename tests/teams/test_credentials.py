"""Outbound tokens with an app password: MSAL against a local https `adfs` authority, one token per
app (cached across turns and proactive sends), fetched off the event loop. The fake token endpoint is
served by this same event loop, so a fetch on the loop would deadlock the test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.runtime import Runtime, build_runtime
from adapters.web.app import build_app
from bot.config import load_settings
from bot.ports import FixedClock
from bot.store.db import Store
from tests.conftest import PROJECT
from tests.fakes.teams_connector import ACCESS_TOKEN, APP_ID, MSI_HEADER, FakeBotFramework, local_tls
from tests.teams.conftest import Teams, endpoint_settings, serve


@pytest.fixture
async def tls_bf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotFramework]:
    context, ca_path = local_tls(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_path))
    async with serve(FakeBotFramework(require_token=True), tls=context) as fake:
        yield fake


@pytest.fixture
async def secure(
    tls_bf: FakeBotFramework,
    database_url: str,
    store: Store,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[Teams, Runtime]]:
    settings = load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_ADMINS="aad-ada",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        TEAMS_APP_ID=APP_ID,
        TEAMS_APP_PASSWORD="s3cret",
        **endpoint_settings(tls_bf.base_url),
        _env_file=None,
    )
    runtime = build_runtime(settings, clock=clock, store=store)

    async def no_background(**_kwargs: Any) -> None:
        return None

    monkeypatch.setattr(runtime.dispatcher, "run_forever", no_background)
    async with TestClient(TestServer(build_app(runtime))) as client:
        yield Teams(client, tls_bf), runtime


async def test_replies_and_proactive_sends_carry_one_cached_token(secure: tuple[Teams, Runtime]) -> None:
    teams, runtime = secure
    bf = teams.bf
    assert (await teams.post(teams.personal("hello", user="bob", name="Bob Babbage"))).status == 201
    assert (await teams.post(teams.personal("help"))).status == 201
    assert (await teams.post(teams.personal("admins add teams:aad-bob"))).status == 201
    assert await runtime.dispatcher.drain() == 1
    assert bf.calls, "the connector received nothing"
    assert {call.authorization for call in bf.calls} == {f"Bearer {ACCESS_TOKEN}"}
    assert any(call.conversation_id == "a:personal-bob" and "admin" in str(call.body) for call in bf.calls)
    assert bf.token_requests == 1


async def test_a_user_assigned_managed_identity_gets_its_token_off_the_event_loop(
    bf: FakeBotFramework,
    database_url: str,
    store: Store,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TEAMS_APP_TYPE=UserAssignedMSI, no password: the token comes from the identity endpoint Azure App
    Service offers (served by this event loop, so a fetch made on the loop would hang the test)."""
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{bf.base_url}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", MSI_HEADER)
    bf.require_token = True
    settings = load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        TEAMS_APP_ID=APP_ID,
        TEAMS_APP_TYPE="UserAssignedMSI",
        **endpoint_settings(bf.base_url),
        _env_file=None,
    )
    runtime = build_runtime(settings, clock=clock, store=store)
    async with TestClient(TestServer(build_app(runtime))) as client:
        teams = Teams(client, bf)
        assert (await teams.post(teams.personal("hello"))).status == 201
        assert (await teams.post(teams.personal("help"))).status == 201
    assert bf.calls and {call.authorization for call in bf.calls} == {f"Bearer {ACCESS_TOKEN}"}
    assert bf.token_requests == 1  # then MSAL's cache
