"""POST /api/v1/announcements (a release pipeline announces a model update) and GET its live counts.

The client's `key` makes a POST idempotent: the same key again returns the announcement it created.
A refused body is `400 {"error", "field", "reason", "errors": [{"field", "reason"}]}`, every problem
found listed (the shape of the usage API's errors).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web
from pydantic import ValidationError

from adapters.runtime import Runtime
from adapters.web.auth import require_api_token
from bot.announcements import drafts, pipeline
from bot.inbound import BadJson, FieldError, field_errors, loads


def mount(app: web.Application, runtime: Runtime) -> None:
    async def create(request: web.Request) -> web.Response:
        require_api_token(request, runtime.settings)
        try:
            body = drafts.AnnouncementBody.model_validate(loads(await request.read() or b"null"))
        except BadJson as exc:
            return _errors([FieldError("body", exc.reason)])
        except ValidationError as exc:
            return _errors(field_errors(exc))
        try:
            announcement, created = await pipeline.announce(
                runtime.store,
                content=runtime.content,
                request=body.request(),
                key=body.key,
                now=runtime.clock.now(),
            )
        except drafts.DraftErrors as exc:
            return _errors([FieldError(field, reason) for field, reason in exc.errors.items()])
        runtime.dispatcher.wake()
        runtime.ticker.wake()  # "send now": the fan-out starts at once, not at the next tick
        return web.json_response(
            {
                "id": announcement.id,
                "recipients": announcement.recipients,
                "unreachable": announcement.unreachable,
                "created": created,
            },
            status=201 if created else 200,
        )

    async def show(request: web.Request) -> web.Response:
        require_api_token(request, runtime.settings)
        try:
            announcement_id = int(request.match_info["id"])
        except ValueError:
            return _errors([FieldError("id", "the id is a number")])

        body = await pipeline.progress(runtime.store, announcement_id=announcement_id)
        if body is None:
            return _errors([FieldError("id", f"no announcement {announcement_id}")], status=404)
        return web.json_response(body)

    app.router.add_post("/api/v1/announcements", create)
    app.router.add_get("/api/v1/announcements/{id}", show)


def _errors(errors: Sequence[FieldError], *, status: int = 400) -> web.Response:
    first = errors[0]
    return web.json_response(
        {
            "error": f"{first.field}: {first.reason}",
            "field": first.field,
            "reason": first.reason,
            "errors": [e.as_json() for e in errors],
        },
        status=status,
    )
