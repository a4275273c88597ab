"""How `coach run` and the CLI log: text lines or JSON lines (`COACH_LOG_FORMAT`), each with the request id
of the HTTP request it was written for, written by a thread of their own so that the event loop never
waits on stderr (a slow pipe or journal would otherwise stall every request in flight).

The stdlib does all of it: a JSON line is one `json.dumps` of a flat dict, which no library makes cheaper.
A JSON line has `time`, `level`, `logger`, `message`, `request_id` when there is one, `exc` with the
traceback, and any structured fields the caller gave (`extra=`), e.g. the access log's `http` object.
"""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import queue
import sys
from datetime import UTC, datetime
from typing import Any

from adapters.web.request_id import REQUEST_ID

# Attributes every LogRecord has; anything else on a record came from `extra=` and goes into the JSON.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being handled (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and value is not None:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The text line, with ` rid=…` after lines written while a request was handled (the access line
    names it itself)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{text} rid={rid}" if rid and "rid=" not in text else text


def configure(*, level: str, fmt: str = "text", background: bool = False, force: bool = False) -> None:
    """Root logging at `level` in `fmt` ("text" or "json"); `background` writes from a thread of its own.

    Like `logging.basicConfig`, it leaves a root logger that has handlers already (a test runner's, an
    embedding program's) alone unless `force`."""
    root = logging.getLogger()
    if root.handlers and not force:
        return
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler: logging.Handler = stream
    if background:
        records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        handler = logging.handlers.QueueHandler(records)
        listener = logging.handlers.QueueListener(records, stream, respect_handler_level=False)
        listener.start()
        atexit.register(listener.stop)  # writes what is queued before the process ends
    handler.addFilter(RequestIdFilter())  # in the caller's thread, where the request's context is
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
