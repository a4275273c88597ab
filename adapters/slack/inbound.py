"""What reaches POST /slack/events before Bolt sees it: a bounded body, and refusals counted, not echoed.

Slack's own payloads are small (a 40,000-character message with its blocks, twice over in an edit, stays
under 1 MiB); anything larger is refused before it is read whole. Bolt refuses unsigned requests with a
401 and logs each one with its body; that logger is kept quiet (adapters/cli/common.py), and this module
says instead, at most once a minute, how many were refused.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
REPORT_EVERY_SECONDS = 60.0


async def bounded_body(request: web.Request, *, limit: int = MAX_BODY_BYTES) -> str | None:
    """The request body as text, or None when it is larger than `limit` (read no further than that)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    data = await request.content.read(limit + 1)
    if len(data) > limit:
        return None
    return data.decode(request.charset or "utf-8", errors="replace")


class RefusedRequests:
    """Counts requests Bolt refused (bad or stale signature) and logs the count once per interval."""

    def __init__(
        self, *, every: float = REPORT_EVERY_SECONDS, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._every = every
        self._now = now
        self._count = 0
        self._since = now()
        self._reported_at: float | None = None

    def note(self) -> None:
        self._count += 1
        now = self._now()
        if self._reported_at is not None and now - self._reported_at < self._every:
            return
        log.warning(
            "refused %d unsigned or stale request(s) to /slack/events in the last %.0f s",
            self._count,
            now - self._since,
        )
        self._count = 0
        self._since = self._reported_at = now
