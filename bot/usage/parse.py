"""Validation of incoming usage events (JSON array, NDJSON or CSV rows), naming the line and every bad field.

An event is checked by a pydantic model against `Rules`: the systems content knows, and the window of
time an event may fall in (at most `FUTURE` ahead of now, at most `HORIZON` back). A value must be a
finite number within its kind's bounds: `minutes_saved` 0–480 per event (a working day), any other kind
0–1,000,000.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.inbound import BadJson, FieldError, field_errors, loads, storable_text

MAX_EVENTS = 10_000
FIELDS = ("id", "person", "system", "at", "kind", "value")
FUTURE = timedelta(minutes=5)  # clocks disagree a little; usage from the future is a bug upstream
HORIZON = timedelta(days=730)  # two years: the outcomes report looks back at most 52 weeks
VALUE_BOUNDS: dict[str, tuple[float, float]] = {"minutes_saved": (0.0, 480.0)}
DEFAULT_BOUNDS = (0.0, 1_000_000.0)


@dataclass(frozen=True)
class UsageIn:
    id: str
    person: str
    system: str
    at: datetime
    kind: str
    value: float | None


@dataclass(frozen=True)
class Rules:
    """What an event is checked against: the systems content knows, and the current time."""

    systems: Collection[str]
    now: datetime


class UsageError(ValueError):
    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        errors: Iterable[FieldError] = (),
    ) -> None:
        self.errors = list(errors) or [FieldError(field or "", message)]
        where = f"line {line}: " if line is not None else ""
        what = "; ".join(f"{e.field}: {e.reason}" if e.field else e.reason for e in self.errors)
        super().__init__(f"{where}{what}")
        self.line = line
        self.field = self.errors[0].field or None
        self.reason = self.errors[0].reason


class TooMany(UsageError):
    pass


def _text_or_number(value: Any) -> Any:
    """Ids and handles may come as numbers (spreadsheets do that); they are text here."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _iso_text(value: Any) -> Any:
    if not isinstance(value, str):  # pydantic would read a number as seconds since 1970
        raise PydanticCustomError("datetime_parsing", "not an ISO 8601 time")
    return value.strip()


def _number(value: Any) -> Any:
    if isinstance(value, bool):  # JSON true is not 1 minute saved
        raise PydanticCustomError("float_type", "must be a number")
    return value


# The constraints come first: after a validator function pydantic would apply them as generic ones.
Handle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    BeforeValidator(_text_or_number),
    AfterValidator(storable_text),
]


class UsageEventIn(BaseModel):
    """One usage event as sent; `model_validate(item, context=Rules)` checks it completely."""

    model_config = ConfigDict(extra="forbid")

    id: Handle
    person: Handle
    system: Handle
    at: Annotated[AwareDatetime, BeforeValidator(_iso_text)]
    kind: Handle = "used"
    value: Annotated[float | None, BeforeValidator(_number)] = None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_default(cls, data: Any) -> Any:
        # A CSV row has every column; an empty kind or value means "not given".
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if not (k in ("kind", "value") and v in ("", None))}
        return data

    @field_validator("person")
    @classmethod
    def _person(cls, handle: str) -> str:
        return handle.lower() if "@" in handle else handle

    @field_validator("system")
    @classmethod
    def _known_system(cls, system: str, info: ValidationInfo) -> str:
        known = _rules(info).systems
        if system not in known:
            raise PydanticCustomError(
                "unknown_system",
                "unknown system {system}; known: {known}",
                {"system": repr(system), "known": ", ".join(sorted(known)) or "none"},
            )
        return system

    @field_validator("at")
    @classmethod
    def _in_window(cls, at: datetime, info: ValidationInfo) -> datetime:
        now = _rules(info).now
        # Compared before converting: 0001-01-01T00:00+14:00 has no UTC equivalent.
        if at > now + FUTURE:
            raise PydanticCustomError("time_in_future", "more than 5 minutes in the future")
        if at < now - HORIZON:
            raise PydanticCustomError("time_too_old", "more than 2 years ago")
        return at.astimezone(UTC)

    @field_validator("value")
    @classmethod
    def _within_bounds(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None:
            return None
        if value != value or value in (float("inf"), float("-inf")):
            raise PydanticCustomError("finite_number", "must be a finite number")
        kind = info.data.get("kind", "used")
        low, high = VALUE_BOUNDS.get(kind, DEFAULT_BOUNDS)
        if not low <= value <= high:
            raise PydanticCustomError(
                "value_out_of_range",
                "must be from {low} to {high} for kind {kind}",
                {"low": f"{low:.0f}", "high": f"{high:.0f}", "kind": kind},
            )
        return value

    def event(self) -> UsageIn:
        return UsageIn(self.id, self.person, self.system, self.at, self.kind, self.value)


def _rules(info: ValidationInfo) -> Rules:
    rules = info.context
    if not isinstance(rules, Rules):
        raise TypeError("validate usage events with context=Rules(...)")
    return rules


def parse_body(body: bytes, *, rules: Rules) -> list[UsageIn]:
    """A JSON array of events, or one JSON object per line (NDJSON)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("the body is not UTF-8") from None
    if text.lstrip().startswith("["):
        try:
            items = loads(text)
        except BadJson as exc:
            raise UsageError(exc.reason, line=exc.line) from None
        return parse_items(enumerate(items, start=1), rules=rules)
    return parse_items(_ndjson(text), rules=rules)


def parse_csv(text: str, *, rules: Rules) -> list[UsageIn]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [f for f in ("id", "person", "system", "at") if f not in (reader.fieldnames or [])]
    if missing:
        raise UsageError(f"missing columns: {', '.join(missing)}", line=1)
    # Line numbers count the header as line 1, as a spreadsheet shows them.
    return parse_items(((n, row) for n, row in enumerate(reader, start=2)), rules=rules)


def _ndjson(text: str) -> Iterable[tuple[int, Any]]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield n, loads(line)
        except BadJson as exc:
            raise UsageError(exc.reason, line=n) from None


def parse_items(items: Iterable[tuple[int, Any]], *, rules: Rules) -> list[UsageIn]:
    events: list[UsageIn] = []
    for line, item in items:
        if len(events) >= MAX_EVENTS:
            raise TooMany(f"at most {MAX_EVENTS} events per request", line=line)
        events.append(parse_event(item, line=line, rules=rules))
    return events


def parse_event(item: Any, *, line: int, rules: Rules) -> UsageIn:
    if not isinstance(item, Mapping):
        raise UsageError("each event must be an object", line=line)
    try:
        return UsageEventIn.model_validate(item, context=rules).event()
    except ValidationError as exc:
        errors = field_errors(exc, extra=lambda _f: f"unknown field (expected {', '.join(FIELDS)})")
        raise UsageError("invalid event", line=line, errors=errors) from None
