from __future__ import annotations

import gc
import io

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import text

from adapters.runtime import Runtime
from adapters.web.app import build_app, freeze_heap_at_startup
from bot.store.db import Store
from tests.process.coach import free_port


async def test_health_ready_and_metrics(runtime: Runtime) -> None:
    async with TestClient(TestServer(build_app(runtime))) as client:
        health = await client.get("/healthz")
        assert health.status == 200 and (await health.json()) == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status == 200 and (await ready.json()) == {"database": "ok"}
        metrics = await client.get("/metrics")
        assert metrics.status == 200
        assert "coach_events_total" in await metrics.text()


@pytest.mark.parametrize(
    ("revision", "status", "database"),
    [
        ("bb5d8f548ed7", 503, "not migrated"),  # older than the code needs: `coach db upgrade`
        (None, 503, "not migrated"),
        ("ffffffffffff", 200, "ok"),  # unknown here: newer code migrated it (a rolling upgrade)
    ],
)
async def test_readiness_says_when_the_database_is_not_migrated(
    runtime: Runtime, revision: str | None, status: int, database: str
) -> None:
    async with TestClient(TestServer(build_app(runtime))) as client:
        assert (await (await client.get("/readyz")).json()) == {"database": "ok"}

        def set_revision(session):  # type: ignore[no-untyped-def]
            session.execute(text("DELETE FROM alembic_version"))
            if revision is not None:
                session.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})

        await runtime.store.run(set_revision)
        ready = await client.get("/readyz")
        assert (ready.status, await ready.json()) == (status, {"database": database})


async def test_readiness_says_when_the_database_does_not_answer(runtime: Runtime) -> None:
    app = build_app(runtime)
    runtime.store = Store(f"postgresql+psycopg://coach@127.0.0.1:{free_port()}/coach")
    try:
        async with TestClient(TestServer(app)) as client:
            ready = await client.get("/readyz")
            assert (ready.status, await ready.json()) == (503, {"database": "unreachable"})
    finally:
        runtime.store.close()


async def test_oversized_bodies_are_refused(runtime: Runtime) -> None:
    runtime.settings = runtime.settings.model_copy(update={"api_token": SecretStr("x")})
    async with TestClient(TestServer(build_app(runtime))) as client:
        body = io.BytesIO(b"[" + b" " * runtime.settings.max_body_bytes + b"]")
        response = await client.post("/api/v1/usage", data=body, headers={"Authorization": "Bearer x"})
        assert response.status == 413
        limit = runtime.settings.max_body_bytes
        assert response.content_type == "application/json"  # like every other API error
        assert await response.json() == {
            "error": f"the body is larger than {limit} bytes (COACH_MAX_BODY_BYTES)",
            "limit": limit,
        }


async def test_other_refusals_under_api_answer_json_too(runtime: Runtime) -> None:
    runtime.settings = runtime.settings.model_copy(update={"api_token": SecretStr("x")})
    async with TestClient(TestServer(build_app(runtime))) as client:
        missing = await client.get("/api/v1/nothing-here", headers={"Authorization": "Bearer x"})
        assert missing.status == 404 and await missing.json() == {"error": "not found"}
        wrong = await client.delete("/api/v1/usage", headers={"Authorization": "Bearer x"})
        assert wrong.status == 405 and await wrong.json() == {"error": "method not allowed"}
        assert "POST" in wrong.headers["Allow"]
        page = await client.get("/nothing-here")  # outside the API, aiohttp's own page as before
        assert page.status == 404 and page.content_type == "text/plain"


async def test_the_heap_built_at_startup_is_frozen_out_of_garbage_collection(runtime: Runtime) -> None:
    app = build_app(runtime)
    freeze_heap_at_startup(app)
    try:
        async with TestClient(TestServer(app)) as client:
            assert gc.get_freeze_count() > 0
            assert (await client.get("/healthz")).status == 200  # and it serves as before
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
