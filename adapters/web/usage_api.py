"""POST /api/v1/usage: usage events as a JSON array or NDJSON, idempotent by each event's id."""

from __future__ import annotations

from aiohttp import web

from adapters.runtime import Runtime
from adapters.web.auth import require_api_token
from bot.programmes.signals import record_usage
from bot.usage.parse import Rules, TooMany, UsageError, parse_body


def mount(app: web.Application, runtime: Runtime) -> None:
    async def post_usage(request: web.Request) -> web.Response:
        require_api_token(request, runtime.settings)
        body = await request.read()
        now = runtime.clock.now()
        try:
            events = parse_body(body, rules=Rules(systems=runtime.content.systems, now=now))
        except TooMany as exc:
            return _error(413, exc)
        except UsageError as exc:
            return _error(400, exc)
        result = await runtime.store.run(
            lambda s: record_usage(session=s, events=events, content=runtime.content, now=now)
        )
        return web.json_response(
            {"received": result.received, "stored": result.stored, "unknown_people": result.unknown_people}
        )

    app.router.add_post("/api/v1/usage", post_usage)


def _error(status: int, exc: UsageError) -> web.Response:
    """The first problem as before (`field`, `reason`), and every bad field of the line in `errors`."""
    return web.json_response(
        {
            "error": str(exc),
            "line": exc.line,
            "field": exc.field,
            "reason": exc.reason,
            "errors": [e.as_json() for e in exc.errors],
        },
        status=status,
    )
