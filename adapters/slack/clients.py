"""Slack Web API clients on SLACK_API_URL: replies retry one 429 (counted), the outbox sender never does."""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import THROTTLED


def api_client(*, token: str | None, base_url: str, retry_rate_limits: bool) -> AsyncWebClient:
    """A Web API client on SLACK_API_URL; replies retry one 429, the outbox sender never does."""
    handlers: list[Any] = [AsyncConnectionErrorRetryHandler()]
    if retry_rate_limits:
        handlers.append(CountingRateLimitHandler(max_retry_count=1))
    return AsyncWebClient(token=token, base_url=with_slash(base_url), retry_handlers=handlers)


class CountingRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 retry for replies, counting each 429 (coach_platform_throttled_total)."""

    async def _can_retry_async(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        throttled = response is not None and response.status_code == 429
        if throttled:
            THROTTLED.labels("slack", "reply").inc()
        return throttled


def with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
