"""What arrives from outside, made safe once: JSON bodies, text, and pydantic errors as field reasons.

- `loads` parses a JSON body, refusing nesting deeper than `MAX_DEPTH` (no body the coach accepts nests
  past 6; a hostile one of a million `[` would otherwise end in a RecursionError, a 500).
- `Text` is a string a database text column can hold: no NUL character (PostgreSQL refuses them) and
  no lone surrogate (no UTF-8 encoding exists for one). APIs refuse such text, naming the field.
- `clean_event` applies the chat rule to an inbound event: NUL characters are dropped and lone
  surrogates become U+FFFD, so a chat message is never lost to a byte the database cannot store.
- `field_errors` turns a pydantic `ValidationError` into `FieldError(field, reason)`s in plain words.
- `row_id` reads a row id a person typed or a button carried: ASCII digits that fit the id column, or
  None (`"²".isdigit()` is true and a 30-digit id overflows SQLite's integers: both once escaped a flow).

Imported by the engine, the domains' API models and the adapters that parse request bodies.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, ValidationError
from pydantic_core import PydanticCustomError

MAX_DEPTH = 32
NUL = "\x00"
MAX_ROW_ID = 2**31 - 1  # an INTEGER primary key on PostgreSQL


def row_id(raw: str) -> int | None:
    """The id in `raw` (ASCII digits, 1 to MAX_ROW_ID), or None when it cannot name a row."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ROW_ID else None


class BadJson(ValueError):
    """A body that is not JSON the coach can read; the message is safe to show."""

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON, refusing invalid UTF-8 and nesting deeper than `max_depth`.

    A body with no more brackets than `max_depth` cannot nest deeper and is parsed as it is. Otherwise
    the decoder's own recursion guard stops a hostile body within its first thousand levels (it raises
    before the stack is at risk, in microseconds), and the parsed value is measured without recursion.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise BadJson("the body is not UTF-8") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadJson(f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise BadJson(f"nested more than {max_depth} levels deep") from None
    if text.count("[") + text.count("{") > max_depth and _depth(value, limit=max_depth) > max_depth:
        raise BadJson(f"nested more than {max_depth} levels deep")
    return value


def _depth(value: Any, *, limit: int) -> int:
    """How deep lists and objects nest (1 for a flat list), counting no further than `limit + 1`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if not isinstance(node, list | dict):
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, level + 1) for child in children if isinstance(child, list | dict))
    return deepest


def storable(text: str) -> bool:
    """True when a text column can hold `text`: no NUL, no lone surrogate."""
    if text.isascii():
        return NUL not in text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return NUL not in text


UNSTORABLE = "contains a NUL character or an unpaired surrogate, which cannot be stored"


def storable_text(value: str) -> str:
    """A pydantic validator: refuse text a database column cannot hold."""
    if not storable(value):
        raise PydanticCustomError("unstorable_text", UNSTORABLE)
    return value


Text = Annotated[str, AfterValidator(storable_text)]


def clean_text(text: str) -> str:
    """The chat rule: NUL characters dropped, lone surrogates replaced by U+FFFD."""
    if storable(text):
        return text
    text = text.replace(NUL, "")
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


E = TypeVar("E")


def clean_event(event: E) -> E:
    """The event with every string in it (text, form values, names, addresses) storable."""
    return event if not _needs_cleaning(event) else _clean(event)


def _needs_cleaning(value: Any) -> bool:
    if isinstance(value, str):
        return not storable(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(_needs_cleaning(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, Mapping):
        return any(_needs_cleaning(k) or _needs_cleaning(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_needs_cleaning(v) for v in value)
    return False


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _clean(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, Mapping):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_clean(v) for v in value)
    return value


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str

    def as_json(self) -> dict[str, str | None]:
        return {"field": self.field or None, "reason": self.reason}  # None: the whole body or line


# pydantic's error types in the words the APIs have always used; others keep pydantic's message.
REASONS: dict[str, str] = {
    "missing": "required",
    "string_type": "must be a string",
    "string_too_short": "required",
    "string_unicode": UNSTORABLE,  # pydantic's own refusal of a lone surrogate
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "datetime_type": "not an ISO 8601 time",
    "datetime_parsing": "not an ISO 8601 time",
    "datetime_from_date_parsing": "not an ISO 8601 time",
    "timezone_aware": "needs a time zone offset (e.g. Z or +02:00)",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
}


def field_errors(
    exc: ValidationError, *, extra: Callable[[str], str] | None = None, where: str = "body"
) -> list[FieldError]:
    """One FieldError per problem, the field as a dotted path (`audience.kind`), in body order."""
    found: list[FieldError] = []
    for error in exc.errors(include_url=False):
        path = [str(part) for part in error["loc"] if not isinstance(part, int)]
        field = ".".join(path) or where
        kind = error["type"]
        if kind == "string_too_long":
            reason = f"longer than {error.get('ctx', {}).get('max_length')} characters"
        elif kind == "extra_forbidden":
            reason = extra(field) if extra else "unknown field"
        else:
            reason = REASONS.get(kind, error["msg"])
        if not any(f.field == field for f in found):  # a union reports each branch: say it once
            found.append(FieldError(field, reason))
    return found
