from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from typer.testing import CliRunner

from adapters.cli import app as cli
from adapters.runtime import build_runtime
from adapters.web.app import build_app
from bot.config import load_settings
from bot.ports import FixedClock
from bot.store.db import Store
from bot.usage import service
from bot.usage.parse import UsageError, parse_body, parse_csv

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def event(i: int, **kw: object) -> dict[str, object]:
    return {
        "id": f"e{i}",
        "person": "Uma@Example.com",
        "system": "assistant",
        "at": "2026-11-23T10:00:00Z",
        **kw,
    }


@pytest.fixture
async def client(database_url: str, store: Store, clock: FixedClock) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    settings = load_settings(
        COACH_DATABASE_URL=database_url, COACH_API_TOKEN=TOKEN, COACH_LOCAL_CHAT="false", _env_file=None
    )
    runtime = build_runtime(settings, clock=clock, store=store)
    async with TestClient(TestServer(build_app(runtime))) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "line", "field"),
    [
        (b'[{"id": "a", "system": "s", "at": "2026-01-01T00:00:00Z"}]', 1, "person"),
        (
            b'{"id": "a", "person": "p", "system": "s", "at": "2026-01-01T00:00:00Z"}\n{"id": "b"}',
            2,
            "person",
        ),
        (b'{"id": "a", "person": "p", "system": "s", "at": "yesterday"}', 1, "at"),
        (b'{"id": "a", "person": "p", "system": "s", "at": "2026-01-01T00:00:00"}', 1, "at"),
        (
            b'{"id": "a", "person": "p", "system": "s", "at": "2026-01-01T00:00:00Z", "value": "lots"}',
            1,
            "value",
        ),
        (
            b'{"id": "a", "person": "p", "system": "s", "at": "2026-01-01T00:00:00Z", "colour": 1}',
            1,
            "colour",
        ),
        (b'{"id": "a"\n', 1, None),
    ],
)
def test_bad_events_name_their_line_and_field(body: bytes, line: int, field: str | None) -> None:
    with pytest.raises(UsageError) as caught:
        parse_body(body)
    assert caught.value.line == line
    assert caught.value.field == field


async def test_api_needs_the_bearer_token(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/v1/usage", data=json.dumps([event(1)]))
    assert response.status == 401
    response = await client.post(
        "/api/v1/usage", data=json.dumps([event(1)]), headers={"Authorization": "Bearer no"}
    )
    assert response.status == 401


async def test_api_ingests_json_and_ndjson_idempotently(client: TestClient, store: Store) -> None:  # type: ignore[type-arg]
    response = await client.post(
        "/api/v1/usage", data=json.dumps([event(1), event(2, value=12)]), headers=AUTH
    )
    assert response.status == 200
    assert await response.json() == {"received": 2, "stored": 2, "unknown_people": 2}
    ndjson = "\n".join(json.dumps(e) for e in (event(2), event(3, kind="task_completed")))
    response = await client.post("/api/v1/usage", data=ndjson, headers=AUTH)
    assert (await response.json())["stored"] == 1


async def test_api_refuses_too_many_events_with_413(client: TestClient) -> None:  # type: ignore[type-arg]
    body = json.dumps([event(i) for i in range(10_001)])
    response = await client.post("/api/v1/usage", data=body, headers=AUTH)
    assert response.status == 413
    assert (await response.json())["line"] == 10_001


async def test_api_reports_the_bad_line(client: TestClient) -> None:  # type: ignore[type-arg]
    body = json.dumps([event(1), event(2, at="soon")])
    response = await client.post("/api/v1/usage", data=body, headers=AUTH)
    assert response.status == 400
    assert await response.json() == {
        "error": "line 2: at: not an ISO 8601 time",
        "line": 2,
        "field": "at",
        "reason": "not an ISO 8601 time",
    }


def test_events_attach_to_known_people(store: Store, clock: FixedClock) -> None:
    from bot.people import service as people

    person = store.run_sync(
        lambda s: people.ensure_by_email(session=s, email="uma@example.com", now=clock.now())
    )
    events = parse_body(json.dumps([event(1, value=30)]).encode())
    result = store.run_sync(lambda s: service.ingest(session=s, events=events, now=clock.now()))
    assert result.unknown_people == 0
    assert store.run_sync(lambda s: service.count_uses(session=s, person_id=person.id or 0)) == 1


def test_csv_import(tmp_path: Path, database_url: str, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "usage.csv"
    good.write_text(
        "id,person,system,at,kind,value\nc1,uma@example.com,assistant,2026-11-23T10:00:00+01:00,used,5\n"
    )
    monkeypatch.setenv("COACH_DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["usage", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,person,system,at\nc1,uma@example.com,assistant,2026-11-23T10:00:00Z\nc2,,assistant,x\n"
    )
    result = CliRunner().invoke(cli, ["usage", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: person: required" in result.output
    assert parse_csv("id,person,system,at\n") == []
