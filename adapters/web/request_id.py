"""A request id for every HTTP request: in the access line, in every log line written while the request
is handled (`REQUEST_ID`, read by the log formatters), and in the `X-Request-Id` answer header.

A caller's own `X-Request-Id` (a proxy's) is kept when it is a short token; otherwise the id is this
process's random prefix and a counter, which costs nothing per request and is unique across processes.
"""

from __future__ import annotations

import itertools
import os
import re
from contextvars import ContextVar

from aiohttp import web
from aiohttp.typedefs import Handler

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
HEADER = "X-Request-Id"
_KEY = web.RequestKey("request_id", str)
_GIVEN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_PREFIX = os.urandom(4).hex()
_numbers = itertools.count(1)


def new_request_id() -> str:
    return f"{_PREFIX}-{next(_numbers):x}"


def request_id_of(request: web.BaseRequest) -> str:
    return request.get(_KEY) or "-"


@web.middleware
async def request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    given = request.headers.get(HEADER, "")
    rid = given if _GIVEN.fullmatch(given) else new_request_id()
    request[_KEY] = rid
    REQUEST_ID.set(rid)  # the request's own task: log lines written while it is handled carry it
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers[HEADER] = rid
        raise
    if not response.prepared:  # a WebSocket or stream has sent its headers already
        response.headers[HEADER] = rid
    return response
