"""The dashboard's browser sessions: the cookie, who it belongs to, and the checks on every form.

The cookie holds a random token (the database keeps its hash); it is HttpOnly, SameSite=Lax and Secure
whenever the coach is reached over https (directly, behind a proxy that says so, or by COACH_PUBLIC_URL).
Every POST must come from the dashboard's own pages (Origin) and, once signed in, carry the session's
CSRF token.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from adapters.runtime import Runtime
from bot.dashboard import signin
from bot.dashboard.access import Viewer, viewer

COOKIE = "coach_dashboard"


@dataclass(frozen=True)
class Signed:
    viewer: Viewer
    csrf: str
    token: str


async def current(request: web.Request, runtime: Runtime) -> Signed | None:
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    now = runtime.clock.now()

    def look(session):  # type: ignore[no-untyped-def]
        found = signin.session_for(session=session, token=token, now=now)
        if found is None:
            return None
        row, person = found
        seen = viewer(
            session=session,
            content=runtime.content,
            person=person,
            default_timezone=runtime.settings.default_timezone,
        )
        return Signed(viewer=seen, csrf=row.csrf, token=token)

    result: Signed | None = await runtime.store.read(look)
    return result


def set_cookie(
    response: web.StreamResponse, request: web.Request, runtime: Runtime, opened: signin.Opened
) -> None:
    response.set_cookie(
        COOKIE,
        opened.token,
        max_age=int(signin.SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=is_https(request, runtime),
    )


def clear_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")


def is_https(request: web.Request, runtime: Runtime) -> bool:
    public = runtime.settings.public_url or ""
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return request.secure or forwarded == "https" or public.startswith("https://")


def check_origin(request: web.Request) -> None:
    """A POST from another site's page is refused (browsers send Origin with every POST)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin is None or urlsplit(origin).netloc != request.host:
        raise web.HTTPForbidden(text="This form only works from the dashboard's own pages.")


def check_csrf(given: str, signed: Signed) -> None:
    if not given or not hmac.compare_digest(given.encode(), signed.csrf.encode()):
        raise web.HTTPForbidden(text="This form has expired: reload the page and try again.")
