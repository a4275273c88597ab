"""The HTTP access log: method, path, status, size, time and request id; never the query string.

aiohttp's default line carries the whole request line, and the local chat names its person in the query
(`/?as=EMAIL`), so the default would write emails at INFO for every tab opened.

The platforms' endpoints (`/slack/events`, `/api/messages`) take every event a workspace or tenant sends;
there a line for each answered request cost more than the rest of the ack (issue 16: 1,266 acks/s with
it, 3,544/s at WARNING). So on those two paths a 2xx answer is logged once in `sample` (the first, then
every sample-th; the line says `sampled=1/N`), while every refusal, error and slow answer (≥ 1 s) is
logged; every other path is logged in full. `COACH_ACCESS_LOG_SAMPLE=1` logs every request.
"""

from __future__ import annotations

import itertools
import logging

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from adapters.web.request_id import request_id_of

SAMPLED_PATHS = frozenset({"/slack/events", "/api/messages"})
SLOW_SECONDS = 1.0


class AccessLogger(AbstractAccessLogger):
    sample = 100  # 2xx answers on SAMPLED_PATHS: one line per this many (see `access_logger`)
    _answered = itertools.count()  # shared by every connection's logger: aiohttp makes one per connection

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        path = request.path
        status = response.status
        sampled = 1
        if path in SAMPLED_PATHS and 200 <= status < 300 and time < SLOW_SECONDS and self.sample > 1:
            if next(self._answered) % self.sample:
                return
            sampled = self.sample
        method = request.method
        size = response.body_length
        ms = round(time * 1000, 1)
        rid = request_id_of(request)
        suffix = f" sampled=1/{sampled}" if sampled > 1 else ""
        self.logger.info(
            '"%s %s" %s %s %.1fms rid=%s%s',
            method,
            path,
            status,
            size,
            ms,
            rid,
            suffix,
            extra={
                "http": {"method": method, "path": path, "status": status, "bytes": size, "ms": ms},
                "request_id": rid,
                **({"sampled": sampled} if sampled > 1 else {}),
            },
        )


def access_logger(sample: int) -> type[AccessLogger]:
    """The access logger class for `coach run`, logging one in `sample` 2xx answers on the platform paths."""
    attributes = {"sample": max(1, sample), "_answered": itertools.count(), "__slots__": ()}
    return type("SampledAccessLogger", (AccessLogger,), attributes)
