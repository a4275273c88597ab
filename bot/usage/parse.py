"""Validation of incoming usage events (JSON array, NDJSON or CSV rows), naming the line and field."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_EVENTS = 10_000
FIELDS = ("id", "person", "system", "at", "kind", "value")


@dataclass(frozen=True)
class UsageIn:
    id: str
    person: str
    system: str
    at: datetime
    kind: str
    value: float | None


class UsageError(ValueError):
    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        what = f"{field}: " if field else ""
        super().__init__(f"{where}{what}{message}")
        self.line = line
        self.field = field
        self.reason = message


class TooMany(UsageError):
    pass


def parse_body(body: bytes) -> list[UsageIn]:
    """A JSON array of events, or one JSON object per line (NDJSON)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("the body is not UTF-8") from None
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"invalid JSON: {exc.msg}", line=exc.lineno) from None
        return parse_items(enumerate(items, start=1))
    return parse_items(_ndjson(text))


def parse_csv(text: str) -> list[UsageIn]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [f for f in ("id", "person", "system", "at") if f not in (reader.fieldnames or [])]
    if missing:
        raise UsageError(f"missing columns: {', '.join(missing)}", line=1)
    # Line numbers count the header as line 1, as a spreadsheet shows them.
    return parse_items((n, row) for n, row in enumerate(reader, start=2))


def _ndjson(text: str) -> Iterable[tuple[int, Any]]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"invalid JSON: {exc.msg}", line=n) from None


def parse_items(items: Iterable[tuple[int, Any]]) -> list[UsageIn]:
    events: list[UsageIn] = []
    for line, item in items:
        if len(events) >= MAX_EVENTS:
            raise TooMany(f"at most {MAX_EVENTS} events per request", line=line)
        events.append(parse_event(item, line=line))
    return events


def parse_event(item: Any, *, line: int) -> UsageIn:
    if not isinstance(item, Mapping):
        raise UsageError("each event must be an object", line=line)
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        raise UsageError(f"unknown field (expected {', '.join(FIELDS)})", line=line, field=unknown[0])
    return UsageIn(
        id=_text(item, "id", line=line),
        person=_person(_text(item, "person", line=line)),
        system=_text(item, "system", line=line),
        at=_time(item, line=line),
        kind=_text(item, "kind", line=line, default="used"),
        value=_number(item, line=line),
    )


def _text(item: Mapping[str, Any], field: str, *, line: int, default: str | None = None) -> str:
    value = item.get(field, default)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise UsageError("required", line=line, field=field)
    if not isinstance(value, str | int):
        raise UsageError("must be a string", line=line, field=field)
    text = str(value).strip()
    if len(text) > 255:
        raise UsageError("longer than 255 characters", line=line, field=field)
    return text


def _person(handle: str) -> str:
    return handle.lower() if "@" in handle else handle


def _time(item: Mapping[str, Any], *, line: int) -> datetime:
    raw = _text(item, "at", line=line)
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError("not an ISO 8601 time", line=line, field="at") from None
    if at.tzinfo is None:
        raise UsageError("needs a time zone offset (e.g. Z or +02:00)", line=line, field="at")
    return at.astimezone(UTC)


def _number(item: Mapping[str, Any], *, line: int) -> float | None:
    value = item.get("value")
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise UsageError("must be a number", line=line, field="value")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError("must be a number", line=line, field="value") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise UsageError("must be a finite number", line=line, field="value")
    return number
