from __future__ import annotations

import gc
import io

from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from adapters.runtime import Runtime
from adapters.web.app import build_app, freeze_heap_at_startup


async def test_health_ready_and_metrics(runtime: Runtime) -> None:
    async with TestClient(TestServer(build_app(runtime))) as client:
        health = await client.get("/healthz")
        assert health.status == 200 and (await health.json()) == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status == 200 and (await ready.json()) == {"database": "ok"}
        metrics = await client.get("/metrics")
        assert metrics.status == 200
        assert "coach_events_total" in await metrics.text()


async def test_oversized_bodies_are_refused(runtime: Runtime) -> None:
    runtime.settings = runtime.settings.model_copy(update={"api_token": SecretStr("x")})
    async with TestClient(TestServer(build_app(runtime))) as client:
        body = io.BytesIO(b"[" + b" " * runtime.settings.max_body_bytes + b"]")
        response = await client.post("/api/v1/usage", data=body, headers={"Authorization": "Bearer x"})
        assert response.status == 413


async def test_the_heap_built_at_startup_is_frozen_out_of_garbage_collection(runtime: Runtime) -> None:
    app = build_app(runtime)
    freeze_heap_at_startup(app)
    try:
        async with TestClient(TestServer(app)) as client:
            assert gc.get_freeze_count() > 0
            assert (await client.get("/healthz")).status == 200  # and it serves as before
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
