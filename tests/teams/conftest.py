"""Fixtures for the Teams adapter: a local Bot Framework (keys + connector) and the real app over HTTP."""

from __future__ import annotations

import contextlib
import itertools
import json
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth import JwtTokenExtractor

from adapters.runtime import Runtime, build_runtime
from adapters.web.app import build_app
from bot.config import Settings, load_settings
from bot.ports import FixedClock
from bot.store.db import Store
from tests.conftest import PROJECT
from tests.fakes.teams_connector import APP_ID, ISSUER, FakeBotFramework

FIXTURES = PROJECT / "tests" / "fixtures" / "teams"
TENANT = "tenant-1"
BOT = {"id": f"28:{APP_ID}", "name": "Coach"}
_ids = itertools.count(1000)


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def endpoint_settings(base: str) -> dict[str, str]:
    return {
        "TEAMS_OPENID_METADATA_URL": f"{base}/openid/.well-known/openid-configuration",
        "TEAMS_TOKEN_ISSUER": ISSUER,
        "TEAMS_LOGIN_URL": f"{base}/adfs",
        "TEAMS_OAUTH_SCOPE": "https://api.botframework.com",
        "TEAMS_OAUTH_URL": f"{base}/oauth",
    }


@contextlib.asynccontextmanager
async def serve(
    fake: FakeBotFramework, *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[FakeBotFramework]:
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server(ssl=tls)
    fake.base_url = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        await server.close()
        JwtTokenExtractor.metadataCache.pop(f"{fake.base_url}/openid/.well-known/openid-configuration", None)


@pytest.fixture
async def bf() -> AsyncIterator[FakeBotFramework]:
    async with serve(FakeBotFramework()) as fake:
        yield fake


@pytest.fixture
def teams_settings(database_url: str, bf: FakeBotFramework) -> Settings:
    return load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_ADMINS="aad-ada",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        TEAMS_APP_ID=APP_ID,
        **endpoint_settings(bf.base_url),
        _env_file=None,
    )


@pytest.fixture
def teams_runtime(
    teams_settings: Settings, store: Store, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> Runtime:
    runtime = build_runtime(teams_settings, clock=clock, store=store)

    async def no_background(**_kwargs: Any) -> None:  # tests drain the outbox themselves
        return None

    monkeypatch.setattr(runtime.dispatcher, "run_forever", no_background)
    return runtime


@pytest.fixture
async def client(teams_runtime: Runtime) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(build_app(teams_runtime))) as test_client:
        yield test_client


class Teams:
    """Builds activities as Teams sends them and posts them with a signed token."""

    def __init__(self, client: TestClient[Any, Any], bf: FakeBotFramework) -> None:
        self.client = client
        self.bf = bf

    @property
    def service_url(self) -> str:
        return self.bf.base_url + "/"

    def personal(
        self, text: str = "", *, user: str = "ada", name: str = "Ada Lovelace", **extra: Any
    ) -> dict[str, Any]:
        return {
            "type": "message",
            "id": f"act-{next(_ids)}",
            "timestamp": "2026-11-23T09:00:00.000Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{user}", "name": name, "aadObjectId": f"aad-{user}"},
            "conversation": {"conversationType": "personal", "id": f"a:personal-{user}", "tenantId": TENANT},
            "recipient": BOT,
            "textFormat": "plain",
            "text": text,
            "channelData": {"tenant": {"id": TENANT}},
            **extra,
        }

    def submit(self, data: dict[str, Any], *, reply_to: str, user: str = "ada") -> dict[str, Any]:
        return self.personal("", user=user, value=data, replyToId=reply_to)

    def invoke(self, name: str, value: dict[str, Any], *, user: str = "ada") -> dict[str, Any]:
        activity = self.personal(user=user, type="invoke", value=value)
        activity.pop("text")
        activity["name"] = name
        return activity

    async def post(self, activity: dict[str, Any], *, token: str | None = "valid") -> Any:
        headers = {}
        if token == "valid":
            token = self.bf.token(service_url=activity["serviceUrl"])
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return await self.client.post("/api/messages", json=activity, headers=headers)


@pytest.fixture
def teams(client: TestClient[Any, Any], bf: FakeBotFramework) -> Teams:
    return Teams(client, bf)


def adaptive_card_schema() -> dict[str, Any]:
    from tests.conftest import SCHEMAS

    schema: dict[str, Any] = json.loads((SCHEMAS / "adaptive-cards" / "adaptive-card-1.5.json").read_text())
    return schema


__all__ = [
    "BOT",
    "FIXTURES",
    "TENANT",
    "Path",
    "Teams",
    "adaptive_card_schema",
    "endpoint_settings",
    "fixture",
]
