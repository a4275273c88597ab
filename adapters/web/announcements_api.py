"""POST /api/v1/announcements (a release pipeline announces a model update) and GET its live counts.

The client's `key` makes a POST idempotent: the same key again returns the announcement it created.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from adapters.runtime import Runtime
from adapters.web.auth import require_api_token
from bot.announcements import drafts, service
from bot.announcements.models import Announcement

# Which body key holds an audience kind's parameter (`param` works for every kind).
PARAM_KEYS: dict[str, tuple[str, ...]] = {
    "programme": ("key", "programme"),
    "stage": ("stage",),
    "system_users": ("system",),
    "reporters": ("system",),
    "channel": ("channel", "id"),
    "people": ("people", "emails"),
}
AUTHOR = "release pipeline (API)"


class BadField(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def mount(app: web.Application, runtime: Runtime) -> None:
    async def create(request: web.Request) -> web.Response:
        require_api_token(request, runtime.settings)
        try:
            data = json.loads(await request.read() or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "body", "the body is not JSON")
        try:
            key, parsed = _parse(data)
        except BadField as exc:
            return _error(400, exc.field, str(exc))
        now = runtime.clock.now()

        def work(session: Session) -> tuple[Announcement, bool]:
            existing = service.by_client_key(session=session, key=key)
            if existing is not None:
                return existing, False
            announcement = drafts.create(
                session=session,
                content=runtime.content,
                request=parsed,
                author=None,
                author_name=AUTHOR,
                now=now,
                client_key=key,
            )
            service.confirm(session=session, announcement=announcement, now=now)
            return announcement, True

        try:
            announcement, created = await runtime.store.run(work)
        except drafts.DraftErrors as exc:
            field, message = next(iter(exc.errors.items()))
            return web.json_response({"error": message, "field": field, "errors": exc.errors}, status=400)
        except IntegrityError:  # the same key raced in from a retry: answer with the winner
            found = await runtime.store.run(lambda s: service.by_client_key(session=s, key=key))
            if found is None:
                raise
            announcement, created = found, False
        runtime.dispatcher.wake()
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
            return _error(400, "id", "the id is a number")

        def work(session: Session) -> dict[str, Any] | None:
            found = service.get(session=session, announcement_id=announcement_id)
            if found is None or found.state == "draft":
                return None
            counts = service.counts(session=session, announcement=found)
            return {"id": found.id, "state": service.progress(found, counts), **counts.as_dict()}

        body = await runtime.store.run(work)
        if body is None:
            return _error(404, "id", f"no announcement {announcement_id}")
        return web.json_response(body)

    app.router.add_post("/api/v1/announcements", create)
    app.router.add_get("/api/v1/announcements/{id}", show)


def _error(status: int, field: str, message: str) -> web.Response:
    return web.json_response({"error": message, "field": field}, status=status)


def _text(data: dict[str, Any], field: str, *, required: bool) -> str:
    value = data.get(field)
    if value is None:
        if required:
            raise BadField(field, f"`{field}` is required")
        return ""
    if not isinstance(value, str):
        raise BadField(field, f"`{field}` must be a string")
    return value


def _flag(data: dict[str, Any], field: str) -> bool:
    value = data.get(field, False)
    if not isinstance(value, bool):
        raise BadField(field, f"`{field}` must be true or false")
    return value


def _parse(data: object) -> tuple[str, drafts.Request]:
    if not isinstance(data, dict):
        raise BadField("body", "the body must be a JSON object")
    key = _text(data, "key", required=True).strip()
    if not key or len(key) > 255:
        raise BadField("key", "`key` must be 1 to 255 characters")
    audience = data.get("audience")
    if not isinstance(audience, dict) or not isinstance(audience.get("kind"), str):
        raise BadField("audience", '`audience` must be an object with a "kind"')
    kind = audience["kind"]
    param: object = audience.get("param", "")
    for name in PARAM_KEYS.get(kind, ()):
        if name in audience:
            param = audience[name]
    if isinstance(param, list) and all(isinstance(p, str) for p in param):
        param = ", ".join(param)
    if not isinstance(param, str):
        raise BadField("audience", f"the parameter of audience `{kind}` must be a string")
    send_at = None
    raw_send_at = _text(data, "send_at", required=False)
    if raw_send_at:
        try:
            send_at = datetime.fromisoformat(raw_send_at.replace("Z", "+00:00"))
        except ValueError:
            raise BadField("send_at", "`send_at` must be an ISO 8601 time") from None
        if send_at.tzinfo is None:
            raise BadField("send_at", "`send_at` needs a time zone, e.g. 2026-12-01T09:00Z")
        send_at = send_at.astimezone(UTC)
    request = drafts.Request(
        title=_text(data, "title", required=True),
        body=_text(data, "body", required=True),
        system=_text(data, "system", required=False),
        model_version=_text(data, "model_version", required=False),
        audience_kind=kind,
        audience_param=param,
        send_at=send_at,
        ack_required=_flag(data, "ack_required"),
        critical=_flag(data, "critical"),
    )
    return key, request
