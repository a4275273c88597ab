"""Local-calendar arithmetic: open slots, working days, working hours for SLAs.

All arithmetic happens in UTC; the person's zone is used only to ask "which local day, which local time
of day". That keeps DST transitions right: adding hours to a local wall time would be wrong twice a year,
and comparing two aware datetimes that share a zoneinfo ignores the fold.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.policy.model import AttentionState, seconds_of, utc

ONE_DAY = timedelta(days=1)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return utc(moment).astimezone(zone).date()


def at_local(day: date, seconds: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time; a time skipped by DST maps to just after the jump."""
    wall = time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def is_working_day(day: date, state: AttentionState) -> bool:
    return day.weekday() in state.working_days and day not in state.holidays


def _search_days(state: AttentionState) -> int:
    # Each holiday removes at most one working day, so within 7 × (holidays + 1) days a free one exists.
    return 7 * (len(state.holidays) + 1) + 1


def next_open(state: AttentionState, after: datetime) -> datetime:
    """The first instant at or after `after` inside working hours and outside quiet hours, on a working
    day that is not a holiday. Ignores snooze, gap and cap."""
    after = utc(after)
    zone = state.zone
    day = local_day(after, zone)
    for _ in range(_search_days(state)):
        if is_working_day(day, state):
            for start_seconds, end_seconds in state.windows:
                start, end = at_local(day, start_seconds, zone), at_local(day, end_seconds, zone)
                if after < end:
                    return max(after, start)
        day += ONE_DAY
    raise AssertionError("unreachable: every week has a working day")  # pragma: no cover


def is_open(state: AttentionState, moment: datetime) -> bool:
    return next_open(state, moment) == utc(moment)


def work_window(day: date, state: AttentionState) -> tuple[datetime, datetime] | None:
    """The day's working hours in UTC (quiet hours do not shorten SLA time), or None on a day off."""
    if not is_working_day(day, state):
        return None
    zone = state.zone
    return (
        at_local(day, seconds_of(state.work_start), zone),
        at_local(day, seconds_of(state.work_end), zone),
    )


def working_hours_between(a: datetime, b: datetime, state: AttentionState) -> timedelta:
    """Working time from `a` to `b` in the person's zone (negative when `b` is before `a`)."""
    a, b = utc(a), utc(b)
    if b < a:
        return -working_hours_between(b, a, state)
    zone = state.zone
    total = timedelta(0)
    day, last = local_day(a, zone), local_day(b, zone)
    while day <= last:
        window = work_window(day, state)
        if window is not None:
            total += max(timedelta(0), min(b, window[1]) - max(a, window[0]))
        day += ONE_DAY
    return total


def add_working_hours(start: datetime, hours: float | timedelta, state: AttentionState) -> datetime:
    """The instant when `hours` of working time have passed since `start` (e.g. an SLA deadline).

    A deadline that uses up a day exactly lands at that day's end of work, not the next morning."""
    remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    if remaining < timedelta(0):
        raise ValueError(f"cannot add negative working time: {remaining}")
    moment = utc(start)
    if remaining == timedelta(0):
        return moment
    zone = state.zone
    day = local_day(moment, zone)
    while True:
        window = work_window(day, state)
        if window is not None and moment < window[1]:
            begin = max(moment, window[0])
            available = window[1] - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += ONE_DAY


def add_working_days(start: datetime, days: int, state: AttentionState) -> datetime:
    """The same local wall time on the `days`-th working day after `start`'s local date.

    Friday + 1 is Monday; Saturday + 1 is Monday too. The time of day is kept, so the result may fall
    outside working hours; `decide` then defers the message to the next open slot."""
    if days < 0:
        raise ValueError(f"cannot add a negative number of working days: {days}")
    zone = state.zone
    local = utc(start).astimezone(zone)
    day, counted = local.date(), 0
    while counted < days:
        day += ONE_DAY
        if is_working_day(day, state):
            counted += 1
    return datetime.combine(day, local.time(), tzinfo=zone).astimezone(UTC)
