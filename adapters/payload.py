"""Reading a platform's JSON by type: a member that is not what the platform documents counts as absent.

Slack and Bot Framework payloads are parsed JSON; a broken client (or a fuzzer) sends any shape. Each
adapter's `translate` reads through these, so a wrong type is "not there" rather than an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def as_map(value: Any) -> Mapping[str, Any]:
    """An object, or an empty one."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """A list, or an empty one."""
    return value if isinstance(value, list) else []


def as_id(value: Any) -> str | None:
    """An id or timestamp: platforms send them as non-empty strings; anything else counts as absent."""
    return value if isinstance(value, str) and value else None
