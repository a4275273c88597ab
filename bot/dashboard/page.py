"""What a dashboard page is made of, whatever shows it: cards, charts and tables of plain values.

Every chart names the table that holds its numbers (shown under it, for screen readers and for
copying), and every table can be downloaded as CSV. A count withheld because it covers fewer people
than the minimum group size is the text "fewer than K", in the table and in the CSV alike. A time is an
aware datetime in the viewer's zone: the page shows it to the minute, the CSV as every export writes times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.charts import Chart, Series

Cell = str | int | float | datetime | None
__all__ = ["Card", "Cell", "Chart", "Page", "Section", "Series", "Table"]


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    before: str = ""  # the week before, for comparison
    note: str = ""


@dataclass(frozen=True)
class Table:
    key: str  # the CSV's name: unique within a page
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    links: tuple[str | None, ...] = ()  # per row, where the row's first cell leads (a report's page)


@dataclass(frozen=True)
class Section:
    title: str
    cards: tuple[Card, ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Page:
    title: str
    sections: tuple[Section, ...] = ()
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def table(self, key: str) -> Table | None:
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        return None

    def chart_table(self, chart: Chart) -> Table:
        """A chart's numbers as a table: one row per label, one column per series."""
        rows = tuple((label, *(s.values[i] for s in chart.series)) for i, label in enumerate(chart.labels))
        return Table(
            key=chart.key,
            title=f"{chart.title} ({chart.unit})",
            columns=("week", *(s.name for s in chart.series)),
            rows=rows,
        )

    def all_tables(self) -> list[Table]:
        found: list[Table] = []
        for section in self.sections:
            found.extend(self.chart_table(c) for c in section.charts)
            found.extend(section.tables)
        return found
