"""Builds the aiohttp application and its lifecycle (outbox dispatcher and scheduler)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from adapters.runtime import Runtime
from adapters.web import announcements_api, legal, outcomes_api, readiness_api, setup, usage_api
from adapters.web.dashboard import routes as dashboard_routes
from adapters.web.request_id import request_ids
from adapters.web.stopping import STOPPING, Stopping
from bot.metrics import OUTBOX_BACKLOG, OUTBOX_ROWS, QUOTA_RATE
from bot.migrations.migrate import schema_status
from bot.outbox import pace
from bot.outbox import service as outbox
from bot.outbox.models import OutboxState
from bot.schedule.clock import start_ticking

log = logging.getLogger(__name__)
RUNTIME = web.AppKey("runtime", Runtime)


def build_app(runtime: Runtime) -> web.Application:
    settings = runtime.settings
    app = web.Application(
        client_max_size=settings.max_body_bytes, middlewares=[request_ids, api_errors_as_json]
    )
    app[RUNTIME] = runtime
    app[STOPPING] = Stopping()  # before the adapters: they name what a stop waits for
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    legal.mount(app)
    setup.mount(app, runtime)
    usage_api.mount(app, runtime)
    readiness_api.mount(app, runtime)
    outcomes_api.mount(app, runtime)
    announcements_api.mount(app, runtime)
    dashboard_routes.mount(app, runtime)
    if settings.local_chat_enabled:
        from adapters.local.web import mount as mount_local

        mount_local(app, runtime)
    if settings.slack_enabled:
        from adapters.slack.app import mount as mount_slack

        mount_slack(app, runtime)
    if settings.teams_enabled:
        from adapters.teams.app import mount as mount_teams

        mount_teams(app, runtime)
    app.cleanup_ctx.append(_background(runtime))
    return app


@web.middleware
async def api_errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Under /api/, aiohttp's own refusals (413 for a body past COACH_MAX_BODY_BYTES, 404, 405) answer
    JSON like the APIs' other errors, not aiohttp's plain text."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400 or exc.content_type == "application/json":
            raise
        if isinstance(exc, web.HTTPRequestEntityTooLarge):
            limit = request.app[RUNTIME].settings.max_body_bytes
            body = {"error": f"the body is larger than {limit} bytes (COACH_MAX_BODY_BYTES)", "limit": limit}
        else:
            body = {"error": exc.reason.lower()}
        headers = {
            k: v for k, v in exc.headers.items() if k.lower() not in ("content-type", "content-length")
        }
        return web.json_response(body, status=exc.status, headers=headers)


def freeze_heap_at_startup(app: web.Application) -> None:
    """Once the server has started, hide what it built from the garbage collector (`gc.freeze`).

    Modules, mappers, content, clients and sessions live as long as the process; a full collection
    walked all of them, and under load that paused the event loop for 50-150 ms (every request in
    flight waited: the ack p99 in bench/). Objects made later are collected as usual.
    """

    async def freeze(_app: web.Application) -> None:
        gc.collect()  # garbage frozen now would never be freed
        gc.freeze()

    app.on_startup.append(freeze)  # after every cleanup context has started (they run first)


def _background(runtime: Runtime):  # type: ignore[no-untyped-def]
    async def context(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(runtime.dispatcher.run_forever(), name="outbox-dispatcher")

        async def tick() -> None:
            if await runtime.ticker.tick(wait=False):
                runtime.dispatcher.wake()

        async def nudge() -> None:
            # The clock only wakes the one loop that ticks: ticks never overlap (a fan-out's chain of chunks
            # outlasting the interval was logged as a skipped run every 10 s), and the loop claims whatever
            # is due on each pass, so a long tick holds nothing else back.
            runtime.ticker.wake()

        scheduler = start_ticking({"due-work": (nudge, runtime.settings.tick_seconds)})
        woken = asyncio.create_task(runtime.ticker.run_when_woken(tick), name="due-work-on-wake")
        yield
        scheduler.shutdown(wait=False)
        for running in (woken, task):
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        await runtime.ticker.stop()

    return context


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers and its schema is one this code runs on (newer is fine)."""
    runtime = request.app[RUNTIME]
    try:
        status = await runtime.store.read(lambda session: schema_status(session.connection()))
    except Exception as exc:
        cause = (str(getattr(exc, "orig", None) or exc).splitlines() or [type(exc).__name__])[0]
        log.warning("readiness: the database did not answer: %s", cause)
        return web.json_response({"database": "unreachable"}, status=503)
    if status.behind:
        return web.json_response({"database": "not migrated"}, status=503)
    return web.json_response({"database": "ok"})


async def metrics(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    now = runtime.clock.now()
    try:
        counts, backlog, rates = await runtime.store.read(
            lambda s: (outbox.counts(session=s), outbox.backlog(session=s, now=now), pace.rates(session=s))
        )
    except Exception:
        log.warning("outbox counts for /metrics failed", exc_info=True)
    else:
        for state in OutboxState:
            OUTBOX_ROWS.labels(str(state)).set(counts.get(str(state), 0))
        OUTBOX_BACKLOG.clear()  # a platform whose backlog is gone reads 0, not its last value
        for platform, n in backlog.items():
            OUTBOX_BACKLOG.labels(platform).set(n)
        for (platform, method), rate in rates.items():
            QUOTA_RATE.labels(platform, method).set(rate)
    body = generate_latest()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
