"""When an announcement goes: now, at an absolute moment, or at a wall time in each recipient's zone.

Pure functions: `parse_when` reads what the author typed, `local_moment` turns "mon 09:30" into the
next such instant in one person's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LOCAL = re.compile(r"^(?:(?P<day>[a-z]+)\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})\s+local$", re.IGNORECASE)


class WhenError(ValueError):
    pass


@dataclass(frozen=True)
class When:
    send_at: datetime | None = None  # absolute: fan out then
    local: str | None = None  # "mon 09:30" / "any 09:30": each recipient's local time

    @property
    def label(self) -> str:
        if self.local:
            day, _, clock = self.local.partition(" ")
            return f"{clock} local time" + ("" if day == "any" else f" on the next {day.title()}")
        if self.send_at:
            return f"{self.send_at:%Y-%m-%d %H:%M} UTC"
        return "now"


def parse_when(text: str, *, now: datetime) -> When:
    """`now`, an ISO 8601 moment, or `[DAY] HH:MM local` such as "Monday 09:30 local"."""
    raw = text.strip()
    if not raw or raw.lower() == "now":
        return When()
    found = _LOCAL.match(raw)
    if found:
        hour, minute = int(found["hour"]), int(found["minute"])
        if hour > 23 or minute > 59:
            raise WhenError("Use a time such as 09:30.")
        day = (found["day"] or "any").lower()[:3]
        if day not in (*WEEKDAYS, "any"):
            raise WhenError("Use a weekday such as Monday, e.g. `Monday 09:30 local`.")
        return When(local=f"{day} {hour:02d}:{minute:02d}")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise WhenError("Write `now`, `Monday 09:30 local` or a time such as 2026-12-01T09:00Z.") from None
    if moment.tzinfo is None:
        raise WhenError("Give the time zone, e.g. 2026-12-01T09:00Z or 2026-12-01T09:00+01:00.")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 has no UTC equivalent
        raise WhenError("That moment is out of range.") from None
    if moment < now - timedelta(minutes=1):
        raise WhenError("That moment has passed.")
    return When(send_at=moment)


def local_moment(local: str, *, zone: str, after: datetime) -> datetime:
    """The first instant at or after `after` that is `local` ("mon 09:30" or "any 09:30") in `zone`."""
    day, _, clock = local.partition(" ")
    wall = time.fromisoformat(clock)
    tz = ZoneInfo(zone)
    start = after.astimezone(tz)
    for offset in range(8):
        date = start.date() + timedelta(days=offset)
        if day != "any" and WEEKDAYS[date.weekday()] != day:
            continue
        candidate = datetime.combine(date, wall, tzinfo=tz)
        if candidate >= start:
            return candidate.astimezone(UTC)
    raise AssertionError("a weekday recurs within eight days")  # pragma: no cover
