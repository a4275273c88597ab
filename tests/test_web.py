from __future__ import annotations

import io

from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from adapters.runtime import Runtime
from adapters.web.app import build_app


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
