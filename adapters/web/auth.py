"""Bearer-token check for /api/v1/*."""

from __future__ import annotations

import hmac

from aiohttp import web

from bot.config import Settings


def require_api_token(request: web.Request, settings: Settings) -> None:
    """Raise 401 unless the request carries `Authorization: Bearer COACH_API_TOKEN`."""
    expected = settings.api_token.get_secret_value() if settings.api_token else ""
    if not expected:
        raise web.HTTPServiceUnavailable(
            text='{"error": "the API is off: set COACH_API_TOKEN"}', content_type="application/json"
        )
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise web.HTTPUnauthorized(
            text='{"error": "missing or wrong bearer token"}',
            content_type="application/json",
            headers={"WWW-Authenticate": "Bearer"},
        )
