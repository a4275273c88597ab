"""`week_of(column, start)`: which seven-day week after `start` a row's time falls in (0, 1, …), in SQL;
`day_of(column)`: the UTC day it falls on (the usage rollup's days).

Arithmetic rather than a CASE with a branch per week: over a year of usage events a 52-branch CASE is
most of a report's time. Exact to the millisecond at week boundaries on both databases (SQLite's
julianday is a double, rounded to whole milliseconds before the integer division). Rows before
`start` are for the caller to leave out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

WEEK_MS = 7 * 24 * 3600 * 1000


class _WeekOf(FunctionElement[int]):
    type = Integer()
    inherit_cache = True
    name = "week_of"


def week_of(column: Any, start: datetime) -> Any:
    return _WeekOf(column, literal(start, type_=column.type))


@compiles(_WeekOf, "sqlite")
def _sqlite(element: _WeekOf, compiler: Any, **kw: Any) -> str:
    at, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST(round((julianday({at}) - julianday({start})) * 86400000) AS INTEGER) / {WEEK_MS})"


@compiles(_WeekOf, "postgresql")
def _postgresql(element: _WeekOf, compiler: Any, **kw: Any) -> str:
    at, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(floor(extract(epoch from ({at} - {start})) * 1000 / {WEEK_MS}) AS INTEGER)"


DAY_MS = 24 * 3600 * 1000


class _DayOf(FunctionElement[int]):
    type = Integer()
    inherit_cache = True
    name = "day_of"


def day_of(column: Any) -> Any:
    """The UTC day a row's time falls on, as days since 1970-01-01 (exact at midnight, as `week_of`)."""
    return _DayOf(column)


@compiles(_DayOf, "sqlite")
def _sqlite_day(element: _DayOf, compiler: Any, **kw: Any) -> str:
    (at,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST(round((julianday({at}) - 2440587.5) * 86400000) AS INTEGER) / {DAY_MS})"


@compiles(_DayOf, "postgresql")
def _postgresql_day(element: _DayOf, compiler: Any, **kw: Any) -> str:
    (at,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(floor(extract(epoch from {at}) * 1000 / {DAY_MS}) AS INTEGER)"
