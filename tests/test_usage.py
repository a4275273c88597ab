from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event as sa_event
from sqlmodel import Session, select
from typer.testing import CliRunner

from adapters.cli import app as cli
from adapters.runtime import Runtime, build_runtime, seed_ownership
from adapters.web.app import build_app
from bot.config import load_settings
from bot.content import Content
from bot.events import Actor, Place, Said
from bot.people import service as people_service
from bot.ports import FixedClock
from bot.store.db import Store
from bot.usage import service
from bot.usage.models import UsageEvent
from bot.usage.parse import Rules, UsageError, UsageIn, parse_body, parse_csv

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def event(i: int, **kw: object) -> dict[str, object]:
    return {
        "id": f"e{i}",
        "person": "Uma@Example.com",
        "system": "assistant",
        "at": "2026-11-23T08:00:00Z",  # an hour before the test clock
        **kw,
    }


def rules(clock: FixedClock | None = None) -> Rules:
    now = (clock or FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))).now()
    return Rules(systems=("assistant", "contract-review"), now=now)


@pytest.fixture
def api_runtime(database_url: str, store: Store, clock: FixedClock, content: Content) -> Runtime:
    settings = load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_API_TOKEN=TOKEN,
        COACH_LOCAL_CHAT="false",
        COACH_ADMINS="ada@example.com",
        _env_file=None,
    )
    return build_runtime(settings, clock=clock, store=store, content=content)


@pytest.fixture
async def client(api_runtime: Runtime) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    async with TestClient(TestServer(build_app(api_runtime))) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "line", "field"),
    [
        (b'[{"id": "a", "system": "assistant", "at": "2026-01-01T00:00:00Z"}]', 1, "person"),
        (
            b'{"id": "a", "person": "p", "system": "assistant", "at": "2026-01-01T00:00:00Z"}\n{"id": "b"}',
            2,
            "person",
        ),
        (b'{"id": "a", "person": "p", "system": "assistant", "at": "yesterday"}', 1, "at"),
        (b'{"id": "a", "person": "p", "system": "assistant", "at": "2026-01-01T00:00:00"}', 1, "at"),
        (
            b'{"id": "a", "person": "p", "system": "assistant", "at": "2026-01-01T00:00:00Z", "value": "lots"}',
            1,
            "value",
        ),
        (
            b'{"id": "a", "person": "p", "system": "assistant", "at": "2026-01-01T00:00:00Z", "colour": 1}',
            1,
            "colour",
        ),
        (b'{"id": "a"\n', 1, None),
    ],
)
def test_bad_events_name_their_line_and_field(body: bytes, line: int, field: str | None) -> None:
    with pytest.raises(UsageError) as caught:
        parse_body(body, rules=rules())
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
    assert await response.json() == {"received": 2, "stored": 2, "unknown_people": 1}  # one person, Uma
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
        "errors": [{"field": "at", "reason": "not an ISO 8601 time"}],
    }


async def test_api_reports_every_bad_field_of_the_line(client: TestClient) -> None:  # type: ignore[type-arg]
    bad = event(2, person=" ", system="nope", at="2099-01-01T00:00:00Z", kind="minutes_saved", value=1e308)
    response = await client.post("/api/v1/usage", data=json.dumps([event(1), bad]), headers=AUTH)
    assert response.status == 400
    body = await response.json()
    assert body["line"] == 2 and body["field"] == "person" and body["reason"] == "required"
    assert body["errors"] == [
        {"field": "person", "reason": "required"},
        {"field": "system", "reason": "unknown system 'nope'; known: assistant, contract-review"},
        {"field": "at", "reason": "more than 5 minutes in the future"},
        {"field": "value", "reason": "must be from 0 to 480 for kind minutes_saved"},
    ]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"system": "nope"}, "system", "unknown system 'nope'; known: assistant, contract-review"),
        ({"value": -100000}, "value", "must be from 0 to 1000000 for kind used"),
        ({"value": 1e308}, "value", "must be from 0 to 1000000 for kind used"),
        (
            {"value": 1_000_001, "kind": "task_completed"},
            "value",
            "must be from 0 to 1000000 for kind task_completed",
        ),
        ({"value": 481, "kind": "minutes_saved"}, "value", "must be from 0 to 480 for kind minutes_saved"),
        ({"value": True}, "value", "must be a number"),
        ({"at": "2099-01-01T00:00:00Z"}, "at", "more than 5 minutes in the future"),
        ({"at": "2026-11-23T09:06:00Z"}, "at", "more than 5 minutes in the future"),
        ({"at": "2024-11-22T09:00:00Z"}, "at", "more than 2 years ago"),
        ({"at": "0001-01-01T00:00:00+14:00"}, "at", "more than 2 years ago"),
        ({"at": "9999-12-31T23:59:59-14:00"}, "at", "more than 5 minutes in the future"),
        ({"at": 1700000000}, "at", "not an ISO 8601 time"),
        (
            {"person": "uma\x00@example.com"},
            "person",
            "contains a NUL character or an unpaired surrogate, which cannot be stored",
        ),
        (
            {"id": "e\ud800"},
            "id",
            "contains a NUL character or an unpaired surrogate, which cannot be stored",
        ),
    ],
)
async def test_api_refuses_what_would_corrupt_the_outcomes(
    client: TestClient,  # type: ignore[type-arg]
    change: dict[str, object],
    field: str,
    reason: str,
) -> None:
    response = await client.post("/api/v1/usage", data=json.dumps([event(1, **change)]), headers=AUTH)
    assert response.status == 400, await response.text()
    assert (await response.json())["errors"] == [{"field": field, "reason": reason}]


async def test_the_bounds_are_inclusive(client: TestClient) -> None:  # type: ignore[type-arg]
    edges = [
        event(1, kind="minutes_saved", value=480),
        event(2, kind="minutes_saved", value=0),
        event(3, value=1_000_000),
        event(4, at="2026-11-23T09:05:00Z"),
        event(5, at="2024-11-24T09:00:00+00:00"),
    ]
    response = await client.post("/api/v1/usage", data=json.dumps(edges), headers=AUTH)
    assert response.status == 200, await response.text()
    assert (await response.json())["stored"] == 5


async def test_unknown_people_are_counted_once_each(client: TestClient) -> None:  # type: ignore[type-arg]
    events = [event(i, person="ivy@example.com") for i in range(3)] + [event(9, person="U123")]
    response = await client.post("/api/v1/usage", data=json.dumps(events), headers=AUTH)
    assert await response.json() == {"received": 4, "stored": 4, "unknown_people": 2}


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b"[" * 40 + b"]" * 40, b'{"a":' * 50_000])
async def test_deeply_nested_json_is_refused_not_a_crash(client: TestClient, body: bytes) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/v1/usage", data=body, headers=AUTH)
    assert response.status == 400
    assert (await response.json())["errors"] == [{"field": None, "reason": "nested more than 32 levels deep"}]


def test_events_attach_to_known_people(store: Store, clock: FixedClock) -> None:
    from bot.people import service as people

    person = store.run_sync(
        lambda s: people.ensure_by_email(session=s, email="uma@example.com", now=clock.now())
    )
    events = parse_body(json.dumps([event(1, value=30)]).encode(), rules=rules(clock))
    result = store.run_sync(lambda s: ingest(s, events, clock.now()))
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
    assert parse_csv("id,person,system,at\n", rules=rules()) == []


# Usage sent before the coach knows the person is linked to them when they become known.


def local(email: str) -> Actor:
    return Actor("local", "local", email, display_name="Uma", email=email, address={"user": email})


def slack(user_id: str, email: str | None = None) -> Actor:
    return Actor("slack", "T1", user_id, display_name="Uma", email=email, address={"channel": "D1"})


def said(actor: Actor, text: str) -> Said:
    place = Place(actor.platform, actor.workspace, f"dm:{actor.user_id}", True, address=actor.address)
    return Said(actor, place, text)


async def post(client: TestClient, *events: dict[str, object]) -> dict[str, Any]:  # type: ignore[type-arg]
    response = await client.post("/api/v1/usage", data=json.dumps(list(events)), headers=AUTH)
    assert response.status == 200
    body: dict[str, Any] = await response.json()
    return body


def owners(store: Store) -> dict[str, int | None]:
    """Each stored usage event's id and the person it is linked to."""
    rows = store.run_sync(lambda s: s.exec(select(UsageEvent.external_id, UsageEvent.person_id)).all())
    return dict(rows)


def person_id(store: Store, email: str) -> int:
    from bot.people import service as people

    found = store.run_sync(lambda s: people.by_email(session=s, email=email))
    assert found is not None and found.id is not None
    return found.id


@pytest.fixture
def usage_statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements that touch usage_event, from now until the test ends."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = str(args[2])
        if "usage_event" in statement:
            seen.append(statement)

    sa_event.listen(store.database, "before_cursor_execute", record)
    yield seen
    sa_event.remove(store.database, "before_cursor_execute", record)


async def test_usage_sent_by_email_is_linked_when_the_person_first_writes(
    client: TestClient,  # type: ignore[type-arg]
    api_runtime: Runtime,
) -> None:
    assert (await post(client, event(1), event(2, person="someone@example.com")))["unknown_people"] == 2
    await api_runtime.engine.handle(said(local("uma@example.com"), "hi"))
    uma = person_id(api_runtime.store, "uma@example.com")
    assert owners(api_runtime.store) == {"e1": uma, "e2": None}
    assert api_runtime.store.run_sync(lambda s: service.count_uses(session=s, person_id=uma)) == 1


async def test_usage_sent_by_platform_user_id_is_linked_when_the_identity_is_new(
    client: TestClient,  # type: ignore[type-arg]
    api_runtime: Runtime,
) -> None:
    await post(client, event(1, person="U0UMA"), event(2), event(3, person="U0OTHER"))
    await api_runtime.engine.handle(said(slack("U0UMA"), "hi"))  # a profile without an email
    rows = owners(api_runtime.store)
    assert rows["e1"] is not None and rows["e2"] is None and rows["e3"] is None


async def test_usage_sent_by_email_is_linked_when_a_known_identity_first_gives_its_email(
    client: TestClient,  # type: ignore[type-arg]
    api_runtime: Runtime,
) -> None:
    await api_runtime.engine.handle(said(slack("U0UMA"), "hi"))
    await post(client, event(1))
    assert owners(api_runtime.store) == {"e1": None}
    await api_runtime.engine.handle(said(slack("U0UMA", email="uma@example.com"), "hi"))
    assert owners(api_runtime.store) == {"e1": person_id(api_runtime.store, "uma@example.com")}


async def test_usage_is_linked_when_an_admin_enrols_the_email(
    client: TestClient,  # type: ignore[type-arg]
    api_runtime: Runtime,
) -> None:
    await post(client, event(1), event(2))
    await api_runtime.engine.handle(said(local("ada@example.com"), "enrol uma@example.com"))
    uma = person_id(api_runtime.store, "uma@example.com")
    assert owners(api_runtime.store) == {"e1": uma, "e2": uma}


def test_usage_is_linked_when_ownership_seeding_names_the_email(
    store: Store, clock: FixedClock, content: Content
) -> None:
    events = parse_body(json.dumps([event(1, person="omar@example.com")]).encode(), rules=rules(clock))
    store.run_sync(lambda s: ingest(s, events, clock.now()))
    seed_ownership(store=store, content=content, clock=clock)
    assert owners(store) == {"e1": person_id(store, "omar@example.com")}


async def test_known_people_keep_their_usage_and_cost_no_link_query(
    client: TestClient,  # type: ignore[type-arg]
    api_runtime: Runtime,
    usage_statements: list[str],
) -> None:
    uma = local("uma@example.com")
    await api_runtime.engine.handle(said(uma, "hi"))
    await post(client, event(1), event(2, person="ivy@example.com"))
    before = owners(api_runtime.store)
    assert before["e1"] == person_id(api_runtime.store, "uma@example.com") and before["e2"] is None
    usage_statements.clear()
    await api_runtime.engine.handle(said(uma, "help"))
    assert usage_statements == []
    assert owners(api_runtime.store) == before


def ingest(session: Session, events: list[UsageIn], now: datetime) -> service.IngestResult:
    """What the usage API does: the handles' people first, then the events."""
    handles = people_service.ids_by_handle(session=session, handles={e.person for e in events})
    return service.ingest(session=session, events=events, people=handles, now=now)
