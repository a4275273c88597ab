"""Local-calendar arithmetic: open slots, working days, working hours for SLAs.

All arithmetic happens in UTC; the person's zone is used only to ask "which local day, which local time
of day". That keeps DST transitions right: adding hours to a local wall time would be wrong twice a year,
and comparing two aware datetimes that share a zoneinfo ignores the fold.

A working shift belongs to the local day it starts on and may run past midnight (18:00–09:00): whether
that day is a working day or a holiday decides whether the whole shift happens, and every window is
measured in seconds after that day's local midnight (so up to 48 hours).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.policy.model import DAY_SECONDS, AttentionState, utc

ONE_DAY = timedelta(days=1)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return utc(moment).astimezone(zone).date()


def at_local(day: date, seconds: int, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the local clock shows `seconds` after `day`'s midnight or later.

    A time shown twice (autumn) is its first showing; a time skipped by DST (spring) is the jump itself,
    when the clock moves past it. So later wall times never map to earlier instants."""
    days, rest = divmod(seconds, DAY_SECONDS)
    wall = datetime.combine(day + timedelta(days=days), time(rest // 3600, rest // 60 % 60, rest % 60))
    moment = wall.replace(tzinfo=zone).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) == wall:
        return moment
    return _jump_before(moment, zone)


def _jump_before(moment: datetime, zone: ZoneInfo) -> datetime:
    # A skipped wall time converts with the offset from before the jump, to an instant after it: find the
    # jump, the first second with the later offset (no zone jumps twice within a few hours).
    offset = moment.astimezone(zone).utcoffset()
    low, high = 0, 4 * 3600  # seconds before `moment`: `low` has the later offset, `high` not
    while high - low > 1:
        middle = (low + high) // 2
        if (moment - timedelta(seconds=middle)).astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return moment - timedelta(seconds=low)


def is_working_day(day: date, state: AttentionState) -> bool:
    return day.weekday() in state.working_days and day not in state.holidays


def _search_days(state: AttentionState) -> int:
    # Each holiday removes at most one working day, so within 7 × (holidays + 1) days a free one exists;
    # one more because the search starts the day before, whose shift may reach into `after`'s day.
    return 7 * (len(state.holidays) + 1) + 2


def _windows_from(
    state: AttentionState, moment: datetime, windows: tuple[tuple[int, int], ...]
) -> Iterator[tuple[datetime, datetime]]:
    """UTC windows of working days in time order, from the shift that may still be running at `moment`
    (yesterday's, if it passes midnight) onwards. Shifts are at most a day long, so they never overlap."""
    zone = state.zone
    day = local_day(moment, zone) - ONE_DAY
    while True:
        if is_working_day(day, state):
            for start_seconds, end_seconds in windows:
                yield at_local(day, start_seconds, zone), at_local(day, end_seconds, zone)
        day += ONE_DAY


def next_open(state: AttentionState, after: datetime) -> datetime:
    """The first instant at or after `after` inside a working shift and outside quiet hours, the shift
    starting on a working day that is not a holiday. Ignores snooze, gap and cap."""
    after = utc(after)
    last = local_day(after, state.zone) + timedelta(days=_search_days(state))
    for start, end in _windows_from(state, after, state.windows):
        if after < end and start < end:  # a window can be empty on a DST day
            return max(after, start)
        if local_day(start, state.zone) > last:
            break
    raise AssertionError("unreachable: every week has a working day")  # pragma: no cover


def is_open(state: AttentionState, moment: datetime) -> bool:
    return next_open(state, moment) == utc(moment)


def shift_on(day: date, state: AttentionState) -> tuple[datetime, datetime]:
    """The shift starting on `day`, in UTC, whether or not `day` is a working day."""
    start, end = state.shift
    return at_local(day, start, state.zone), at_local(day, end, state.zone)


def shift_day(moment: datetime, state: AttentionState) -> date | None:
    """The local day whose shift `moment` falls in (working day or not), or None between shifts."""
    today = local_day(moment, state.zone)
    for day in (today - ONE_DAY, today):
        start, end = shift_on(day, state)
        if start <= utc(moment) < end:
            return day
    return None


def working_hours_between(a: datetime, b: datetime, state: AttentionState) -> timedelta:
    """Working time from `a` to `b` in the person's zone (negative when `b` is before `a`). Quiet hours
    do not shorten it: an SLA counts the owner's whole shift."""
    a, b = utc(a), utc(b)
    if b < a:
        return -working_hours_between(b, a, state)
    total = timedelta(0)
    for start, end in _windows_from(state, a, (state.shift,)):
        if start >= b:
            return total
        total += max(timedelta(0), min(b, end) - max(a, start))
    raise AssertionError("unreachable: the windows never end")  # pragma: no cover


def working_clock(state: AttentionState, since: datetime, until: datetime) -> Callable[[datetime], timedelta]:
    """Working time from `since` to a moment up to `until`, for many moments (a page's medians over a
    year of flags): the windows are listed once, then each moment is a bisection. The clock's
    difference at two moments is `working_hours_between` them."""
    since, until = utc(since), utc(until)
    starts: list[datetime] = []
    ends: list[datetime] = []
    before = [timedelta(0)]  # working time before each window
    for start, end in _windows_from(state, since, (state.shift,)):
        if start > until:
            break
        start = max(start, since)
        if end > start:
            starts.append(start)
            ends.append(end)
            before.append(before[-1] + end - start)

    def clock(moment: datetime) -> timedelta:
        moment = utc(moment)
        if not since <= moment <= until:
            raise ValueError(f"{moment} is outside the clock's span {since} to {until}")
        i = bisect_right(starts, moment) - 1
        if i < 0:
            return timedelta(0)
        return before[i] + min(moment, ends[i]) - starts[i]

    return clock


def add_working_hours(start: datetime, hours: float | timedelta, state: AttentionState) -> datetime:
    """The instant when `hours` of working time have passed since `start` (e.g. an SLA deadline).

    A deadline that uses up a shift exactly lands at that shift's end, not at the start of the next."""
    remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    if remaining < timedelta(0):
        raise ValueError(f"cannot add negative working time: {remaining}")
    moment = utc(start)
    if remaining == timedelta(0):
        return moment
    for window_start, window_end in _windows_from(state, moment, (state.shift,)):
        if moment < window_end:
            begin = max(moment, window_start)
            available = window_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
    raise AssertionError("unreachable: the windows never end")  # pragma: no cover


def add_working_days(start: datetime, days: int, state: AttentionState) -> datetime:
    """The same local wall time on the `days`-th working day after the day of `start`'s shift (its
    local date when it is between shifts): the same moment of that day's shift.

    Friday + 1 is Monday; Saturday + 1 is Monday too. The time of day is kept, so the result may fall
    outside working hours; `decide` then defers the message to the next open slot."""
    return add_working_days_each(start, (days,), state)[days]


def add_working_days_each(start: datetime, days: Iterable[int], state: AttentionState) -> dict[int, datetime]:
    """`add_working_days` for several counts from one start, in one walk over the calendar (a new
    enrolment plans each of its steps this way)."""
    wanted = sorted(set(days))
    if wanted and wanted[0] < 0:
        raise ValueError(f"cannot add a negative number of working days: {wanted[0]}")
    zone = state.zone
    local = utc(start).astimezone(zone)
    day = shift_day(start, state) or local.date()
    first, counted = day, 0
    found: dict[int, datetime] = {}
    for n in wanted:
        while counted < n:
            day += ONE_DAY
            if is_working_day(day, state):
                counted += 1
        wall = datetime.combine(local.date() + (day - first), local.time())
        found[n] = wall.replace(tzinfo=zone).astimezone(UTC)
    return found
