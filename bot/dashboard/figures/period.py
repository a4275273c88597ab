"""The weeks a page covers, in the viewer's zone, and the rules every page shares: counts of fewer
people than the minimum group size are withheld (as in chat), and items are counted per week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dashboard.page import Cell, Series
from bot.outcomes.service import MAX_WEEKS, WEEK


@dataclass(frozen=True)
class Period:
    """Whole weeks ending at `end` (newest last); `zone` is the viewer's, for labels and times."""

    end: datetime
    weeks: int
    zone: str = "UTC"

    @classmethod
    def ending(cls, end: datetime, weeks: int, zone: str = "UTC") -> Period:
        return cls(end=end, weeks=max(1, min(weeks, MAX_WEEKS)), zone=zone)

    @property
    def start(self) -> datetime:
        return self.end - WEEK * self.weeks

    def windows(self) -> list[tuple[datetime, datetime]]:
        return [(self.start + WEEK * i, self.start + WEEK * (i + 1)) for i in range(self.weeks)]

    def labels(self) -> tuple[str, ...]:
        """Each week by its first day in the viewer's zone: "2 Nov"."""
        zone = ZoneInfo(self.zone)
        return tuple(f"{s.astimezone(zone).day} {s.astimezone(zone):%b}" for s, _ in self.windows())

    def local(self, moment: datetime | None) -> datetime | None:
        """A time in the viewer's zone (a table cell: shown to the minute, exported in full)."""
        return None if moment is None else moment.astimezone(ZoneInfo(self.zone))


def withheld(value: int | None, min_group: int) -> Cell:
    return f"fewer than {min_group}" if value is None else value


def few(people: int, min_group: int) -> int | None:
    return None if 0 < people < min_group else people


def as_number(value: int | None) -> float | None:
    return None if value is None else float(value)


def per_week(
    period: Period, items: Sequence[tuple[datetime, str]], names: Sequence[str]
) -> tuple[Series, ...]:
    windows = period.windows()
    counts = {name: [0] * len(windows) for name in names}
    for at, name in items:
        for i, (start, end) in enumerate(windows):
            if start <= at < end:
                counts.setdefault(name, [0] * len(windows))[i] += 1
                break
    return tuple(Series(name, tuple(float(n) for n in values)) for name, values in counts.items())
