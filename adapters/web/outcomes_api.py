"""GET /api/v1/outcomes[?weeks=N&system=KEY]: the outcomes report's figures (bearer COACH_API_TOKEN)."""

from __future__ import annotations

import json

from aiohttp import web

from adapters.runtime import Runtime
from adapters.web.auth import require_api_token
from bot.outcomes.service import MAX_WEEKS, outcomes


def mount(app: web.Application, runtime: Runtime) -> None:
    async def get_outcomes(request: web.Request) -> web.Response:
        require_api_token(request, runtime.settings)
        weeks = _weeks(request.query.get("weeks", "4"))
        system = request.query.get("system") or None
        if system is not None and system not in runtime.content.systems:
            raise _bad("system", f"unknown system; known: {', '.join(runtime.content.systems)}")
        now = runtime.clock.now()
        systems = await runtime.store.read(  # a year of usage takes seconds: not on the writer
            lambda s: [
                item.as_json()
                for item in outcomes(
                    session=s,
                    content=runtime.content,
                    now=now,
                    min_group=runtime.settings.min_group_size,
                    weeks=weeks,
                    system=system,
                )
            ]
        )
        return web.json_response({"generated_at": now.isoformat(), "weeks": weeks, "systems": systems})

    app.router.add_get("/api/v1/outcomes", get_outcomes)


def _weeks(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_WEEKS:
        raise _bad("weeks", f"a whole number from 1 to {MAX_WEEKS}")
    return int(value)


def _bad(field: str, reason: str) -> web.HTTPBadRequest:
    body = {"error": f"{field}: {reason}", "field": field, "reason": reason}
    return web.HTTPBadRequest(text=json.dumps(body), content_type="application/json")
