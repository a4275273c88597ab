"""POST/GET /api/v1/announcements over HTTP: idempotent by key, clear 4xx naming the bad field."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from adapters.runtime import Runtime, build_runtime
from adapters.web import announcements_api
from adapters.web.app import build_app
from bot.announcements.models import Announcement
from bot.config import load_settings
from bot.content import Content
from bot.ports import FixedClock
from bot.store.db import Store
from tests.announcements.helpers import KENJI, LUCY, say
from tests.conftest import PROJECT
from tests.programmes.harness import RecordingSender

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def api_runtime(database_url: str, store: Store, clock: FixedClock, content: Content) -> Runtime:
    settings = load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_API_TOKEN=TOKEN,
        COACH_LOCAL_CHAT="false",
        COACH_ADMINS="ada@example.com",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        _env_file=None,
    )
    return build_runtime(settings, clock=clock, store=store, content=content)


@pytest.fixture
async def client(api_runtime: Runtime) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    app = build_app(api_runtime)
    announcements_api.mount(app, api_runtime)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def body(**extra: object) -> dict[str, object]:
    return {
        "key": "release-compass-2026-12",
        "title": "Compass 2026-12 is live",
        "body": "Hi {{ person.first_name }}: answers now cite their sources.",
        "system": "assistant",
        "model_version": "compass-2026-12",
        "audience": {
            "kind": "people",
            "people": ["kenji@example.com", "lucy@example.com", "new@example.com"],
        },
        "ack_required": True,
        "critical": False,
        **extra,
    }


async def test_the_same_key_twice_creates_one_announcement(
    api_runtime: Runtime,
    client: TestClient,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    sender = RecordingSender(clock)
    api_runtime.dispatcher.senders["local"] = sender
    await say(api_runtime, KENJI, "hi")
    await say(api_runtime, LUCY, "hi")
    first = await client.post("/api/v1/announcements", json=body(), headers=AUTH)
    again = await client.post("/api/v1/announcements", json=body(), headers=AUTH)
    assert first.status == 201 and again.status == 200
    created, repeated = await first.json(), await again.json()
    assert created["id"] == repeated["id"]
    assert created["recipients"] == 3 and created["unreachable"] == 1  # new@ has never talked to the bot
    rows = api_runtime.store.run_sync(lambda s: s.exec(select(Announcement)).all())
    assert len(rows) == 1

    await api_runtime.run_due_work()
    await api_runtime.run_due_work()
    status = await client.get(f"/api/v1/announcements/{created['id']}", headers=AUTH)
    counts = await status.json()
    assert status.status == 200
    assert counts["unreachable"] == 1 and counts["acknowledged"] == 0 and counts["questions"] == 0
    assert counts["sent"] + counts["pending"] == 2 and counts["failed"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": 5}, "title"),
        ({"key": ""}, "key"),
        ({"audience": {"kind": "martians"}}, "audience"),
        ({"audience": {"kind": "programme", "key": "nope"}}, "audience"),
        ({"system": "nope"}, "system"),
        ({"body": "Hi {{ person.frist_name }}"}, "body"),
        ({"body": "Hi {{ person.first_name"}, "body"),
        ({"send_at": "next tuesday"}, "send_at"),
        ({"send_at": "2026-12-01T09:00"}, "send_at"),
        ({"critical": "yes"}, "critical"),
        ({"title": "Compass\x00 2026-12"}, "title"),
        ({"body": "Hi \ud800"}, "body"),
        ({"send_at": "0001-01-01T00:00:00+14:00"}, "send_at"),
        ({"audience": {"people": ["kenji@example.com"]}}, "audience.kind"),
        ({"audience": "everyone"}, "audience"),
        ({"colour": "blue"}, "colour"),
    ],
)
async def test_bad_fields_are_named(
    client: TestClient,  # type: ignore[type-arg]
    change: dict[str, object],
    field: str,
) -> None:
    response = await client.post("/api/v1/announcements", json=body(**change), headers=AUTH)
    assert response.status == 400
    assert (await response.json())["field"] == field


async def test_the_api_needs_the_token(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/v1/announcements", json=body())
    assert response.status == 401
    missing = await client.get("/api/v1/announcements/99", headers=AUTH)
    assert missing.status == 404


async def test_every_bad_field_is_listed(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.post(
        "/api/v1/announcements",
        json=body(title=5, critical="yes", send_at="soon", audience={"kind": "everyone", "colour": 1}),
        headers=AUTH,
    )
    assert response.status == 400
    found = await response.json()
    assert [e["field"] for e in found["errors"]] == ["title", "audience.colour", "send_at", "critical"]
    assert found["field"] == "title" and found["reason"] == "must be a string"
    assert found["error"] == "title: must be a string"


@pytest.mark.parametrize(
    "raw", [b"[" * 100_000 + b"]" * 100_000, b'{"key": ' * 50 + b"1" + b"}" * 50, b"\xff"]
)
async def test_a_malformed_body_is_a_400(client: TestClient, raw: bytes) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/v1/announcements", data=raw, headers=AUTH)
    assert response.status == 400
    assert (await response.json())["field"] == "body"


async def test_counts_agree_from_creation_to_the_end(
    api_runtime: Runtime,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    """Nine people the coach never met: unreachable at creation, before the fan-out and after it."""
    nine = [f"p{n}@example.com" for n in range(1, 10)]
    created = await client.post(
        "/api/v1/announcements", json=body(audience={"kind": "people", "people": nine}), headers=AUTH
    )
    first = await created.json()
    assert (first["recipients"], first["unreachable"]) == (9, 9)

    async def counts() -> dict[str, object]:
        response = await client.get(f"/api/v1/announcements/{first['id']}", headers=AUTH)
        found: dict[str, object] = await response.json()
        return found

    expected = {"recipients": 9, "pending": 0, "sent": 0, "failed": 0, "unreachable": 9, "cancelled": 0}
    before = await counts()  # "send now" starts the fan-out at once: it may be under way already
    assert (
        before["state"] in ("scheduled", "sending", "done") and {k: before[k] for k in expected} == expected
    )
    await api_runtime.run_due_work()
    for _ in range(500):  # the fan-out woken by the POST may still be finishing beside this tick
        after = await counts()
        if after["state"] == "done":
            break
        await asyncio.sleep(0.02)
    assert after["state"] == "done" and {k: after[k] for k in expected} == expected
