"""The HTTP access log: method, path, status, size and time, never the query string.

aiohttp's default line carries the whole request line, and the local chat names its person in the query
(`/?as=EMAIL`), so the default would write emails at INFO for every tab opened.
"""

from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse


class AccessLogger(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            '"%s %s" %s %s %.1fms',
            request.method,
            request.path,
            response.status,
            response.body_length,
            time * 1000,
        )
