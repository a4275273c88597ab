"""GET /api/v1/readiness: per AI system a 0–100 score and the checks behind it (bearer COACH_API_TOKEN)."""

from __future__ import annotations

from aiohttp import web

from adapters.runtime import Runtime
from adapters.web.auth import require_api_token
from bot.readiness.checks import readiness


def mount(app: web.Application, runtime: Runtime) -> None:
    async def get_readiness(request: web.Request) -> web.Response:
        require_api_token(request, runtime.settings)
        now = runtime.clock.now()
        systems = await runtime.store.run(
            lambda s: [item.as_json() for item in readiness(session=s, content=runtime.content, now=now)]
        )
        return web.json_response({"systems": systems})

    app.router.add_get("/api/v1/readiness", get_readiness)
