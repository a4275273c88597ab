"""Property-based tests (hypothesis) of working shifts, crossing midnight or not, in zones with DST.

The checks re-derive the rules from the person's local clock instead of reusing the policy's helpers:
a local wall time "starts" at the first instant the clock shows it or later (found by stepping a
minute at a time), a shift belongs to the day it starts, and quiet hours are cut out of it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.policy import (
    AttentionState,
    Kind,
    Send,
    SnoozeChoice,
    add_working_hours,
    is_open,
    next_allowed_slot,
    next_open,
    snooze_until,
    working_hours_between,
)
from bot.policy.calendar import working_clock
from bot.policy.model import CAP_WINDOW

DAY = 24 * 3600
MINUTE = timedelta(minutes=1)
# Zones with one-hour, half-hour and two-hour switches, switches at midnight, odd offsets, none at all.
ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/Los_Angeles",
    "America/Santiago",
    "America/Havana",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "Antarctica/Troll",
    "Asia/Kolkata",
    "Asia/Tokyo",
)
FIRST, LAST = datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def switches(zone_name: str) -> tuple[datetime, ...]:
    """The instants (to the hour) where the zone's offset changes, 2026–2027."""
    zone = ZoneInfo(zone_name)
    found, moment = [], FIRST
    offset = moment.astimezone(zone).utcoffset()
    while moment < LAST:
        moment += timedelta(hours=1)
        current = moment.astimezone(zone).utcoffset()
        if current != offset:
            found.append(moment)
            offset = current
    return tuple(found)


def wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


@cache
def starts(day: date, seconds: int, zone_name: str) -> datetime:
    """The first instant whose local clock shows `seconds` after `day`'s midnight or later."""
    zone = ZoneInfo(zone_name)
    target = datetime.combine(day, time()) + timedelta(seconds=seconds)
    moment = target.replace(tzinfo=zone).astimezone(UTC) - timedelta(hours=3)
    while wall(moment, zone) < target:
        moment += MINUTE
    return moment


def spans(low: int, high: int) -> int:
    return high if high > low else high + DAY


def within(moment: datetime, day: date, low: int, high: int, zone: str) -> bool:
    return starts(day, low, zone) <= moment < starts(day, high, zone)


def candidate_days(moment: datetime, state: AttentionState) -> list[date]:
    today = wall(moment, state.zone).date()
    return [today + timedelta(days=offset) for offset in (-2, -1, 0, 1)]


def working(day: date, state: AttentionState) -> bool:
    return day.weekday() in state.working_days and day not in state.holidays


def in_shift(moment: datetime, state: AttentionState) -> bool:
    low = state.work_start.hour * 3600 + state.work_start.minute * 60
    high = spans(low, state.work_end.hour * 3600 + state.work_end.minute * 60)
    return any(
        working(day, state) and within(moment, day, low, high, state.timezone)
        for day in candidate_days(moment, state)
    )


def in_quiet(moment: datetime, state: AttentionState) -> bool:
    if state.quiet_hours is None:
        return False
    low = state.quiet_hours[0].hour * 3600 + state.quiet_hours[0].minute * 60
    high = spans(low, state.quiet_hours[1].hour * 3600 + state.quiet_hours[1].minute * 60)
    return any(within(moment, day, low, high, state.timezone) for day in candidate_days(moment, state))


def open_by_the_clock(moment: datetime, state: AttentionState) -> bool:
    return in_shift(moment, state) and not in_quiet(moment, state)


def first_open_by_the_clock(state: AttentionState, after: datetime) -> datetime:
    """Open time is a union of spans starting at a shift's start or a quiet-hours end: the first open
    instant is `after` itself or the earliest such start after it."""
    edges = [state.work_start, *(state.quiet_hours[1:] if state.quiet_hours else ())]
    first = wall(after, state.zone).date() - timedelta(days=1)
    candidates = {after}
    for offset in range(7 * (len(state.holidays) + 1) + 3):
        for edge in edges:
            seconds = edge.hour * 3600 + edge.minute * 60
            candidates.add(starts(first + timedelta(days=offset), seconds, state.timezone))
    return min(c for c in candidates if c >= after and open_by_the_clock(c, state))


# --- strategies ------------------------------------------------------------------------------------

clock_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]) | st.integers(0, 59))


@st.composite
def situations(draw: st.DrawFn, *, crossing: bool | None = None) -> tuple[AttentionState, datetime]:
    """A person and an instant; half the time the instant is within two days of a DST switch and the
    shift and quiet hours may start or end in the hour the clock skips or shows twice."""
    zone = draw(st.sampled_from(ZONES))
    near = switches(zone)
    times = clock_times
    if near and draw(st.booleans()):
        switch = draw(st.sampled_from(near))
        moment = switch + timedelta(seconds=draw(st.integers(-2 * DAY, 2 * DAY)))
        before = wall(switch - MINUTE, ZoneInfo(zone))
        around = st.integers(-60, 150).map(lambda m: (before + timedelta(minutes=m)).time().replace(second=0))
        times = clock_times | around
    else:
        when = draw(st.datetimes(min_value=datetime(2026, 1, 3), max_value=datetime(2027, 12, 20)))
        moment = when.replace(tzinfo=UTC)
    start, end = draw(times), draw(times)
    if crossing is not None:
        assume((end < start and end != time(0)) if crossing else start < end)
    quiet = draw(st.none() | st.tuples(times, times).filter(lambda q: q[0] != q[1]))
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    today = moment.date()
    holidays = draw(st.frozensets(st.integers(-3, 12).map(lambda n: today + timedelta(days=n)), max_size=3))
    try:
        state = AttentionState(
            timezone=zone,
            work_start=start,
            work_end=end,
            working_days=days,
            quiet_hours=quiet,
            holidays=holidays,
        )
    except ValueError:  # quiet hours covering the whole shift are refused
        assume(False)
        raise
    return state, moment


# --- properties ------------------------------------------------------------------------------------


@EXAMPLES
@given(situations())
def test_the_next_open_slot_is_the_first_instant_the_clock_allows(
    situation: tuple[AttentionState, datetime],
) -> None:
    state, after = situation
    slot = next_open(state, after)
    assert slot == first_open_by_the_clock(state, after)
    assert is_open(state, after) == open_by_the_clock(after, state)


@EXAMPLES
@given(situations(), st.lists(st.integers(-7 * DAY, 7 * DAY), max_size=6), st.integers(-DAY, 3 * DAY))
def test_every_slot_the_policy_picks_is_in_a_working_shift_outside_quiet_hours(
    situation: tuple[AttentionState, datetime], sent_ago: list[int], snooze: int
) -> None:
    state, after = situation
    recent = tuple(Send(after + timedelta(seconds=s), Kind.nudge) for s in sent_ago)
    state = replace(state, recent=recent, snoozed_until=after + timedelta(seconds=snooze))
    slot = next_allowed_slot(state, after)
    assert slot >= after and slot >= after + timedelta(seconds=snooze)
    assert open_by_the_clock(slot, state)
    sends = state.budgeted_sends()
    assert all(abs(slot - sent) >= state.min_gap for sent in sends)
    assert sum(1 for sent in sends if slot - CAP_WINDOW < sent <= slot) < state.weekly_cap
    for choice in SnoozeChoice:
        assert open_by_the_clock(snooze_until(choice, after, state), state)


@EXAMPLES
@given(situations(), st.integers(0, 4 * DAY), st.integers(0, 4 * DAY))
def test_working_time_is_additive_and_monotonic(
    situation: tuple[AttentionState, datetime], first: int, second: int
) -> None:
    state, a = situation
    b = a + timedelta(seconds=first)
    c = b + timedelta(seconds=second)
    ab, bc, ac = (working_hours_between(x, y, state) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac
    assert timedelta(0) <= ab <= ac and bc <= ac
    assert ab <= b - a
    assert working_hours_between(b, a, state) == -ab


@EXAMPLES
@given(situations(), st.lists(st.integers(0, 9 * DAY), min_size=2, max_size=6))
def test_a_working_clock_agrees_with_working_time_between_its_moments(
    situation: tuple[AttentionState, datetime], offsets: list[int]
) -> None:
    state, a = situation
    moments = [a + timedelta(seconds=s) for s in offsets]
    clock = working_clock(state, min(moments), max(moments))
    for x, y in pairwise(moments):
        assert clock(y) - clock(x) == working_hours_between(x, y, state)


@EXAMPLES
@given(situations(), st.integers(1, 60 * 60).map(lambda minutes: timedelta(minutes=minutes)))
def test_a_deadline_is_the_first_instant_with_that_much_working_time_behind_it(
    situation: tuple[AttentionState, datetime], hours: timedelta
) -> None:
    state, start = situation
    due = add_working_hours(start, hours, state)
    assert working_hours_between(start, due, state) == hours
    assert in_shift(due - timedelta(microseconds=1), state)  # working time ran up to the deadline


@EXAMPLES
@given(situations())
def test_a_shift_counts_whole_on_a_working_day_and_not_at_all_on_a_day_off(
    situation: tuple[AttentionState, datetime],
) -> None:
    state, moment = situation
    day = wall(moment, state.zone).date()
    low = state.work_start.hour * 3600 + state.work_start.minute * 60
    high = spans(low, state.work_end.hour * 3600 + state.work_end.minute * 60)
    begin, end = starts(day, low, state.timezone), starts(day, high, state.timezone)
    expected = end - begin if working(day, state) else timedelta(0)
    assert working_hours_between(begin, end, state) == expected


@EXAMPLES
@given(situations(crossing=True), st.integers(0, 3 * DAY))
def test_a_shift_across_midnight_is_the_union_of_its_two_parts(
    situation: tuple[AttentionState, datetime], length: int
) -> None:
    """18:00–09:00 on some days = 18:00–24:00 on those days + 00:00–09:00 on the days after them."""
    state, moment = situation
    evening = _part(state, start=state.work_start, end=time(0), days_later=0)
    morning = _part(state, start=time(0), end=state.work_end, days_later=1)
    parts = [part for part in (evening, morning) if part is not None]
    assert next_open(state, moment) == min(next_open(part, moment) for part in parts)
    later = moment + timedelta(seconds=length)
    both = sum((working_hours_between(moment, later, part) for part in _bare(state)), timedelta(0))
    assert working_hours_between(moment, later, state) == both


def _part(state: AttentionState, *, start: time, end: time, days_later: int) -> AttentionState | None:
    try:
        return replace(
            state,
            work_start=start,
            work_end=end,
            working_days=frozenset((day + days_later) % 7 for day in state.working_days),
            holidays=frozenset(day + timedelta(days=days_later) for day in state.holidays),
        )
    except ValueError:  # quiet hours cover this part entirely: it offers no slot
        return None


def _bare(state: AttentionState) -> list[AttentionState]:
    bare = replace(state, quiet_hours=None)
    parts = (
        _part(bare, start=bare.work_start, end=time(0), days_later=0),
        _part(bare, start=time(0), end=bare.work_end, days_later=1),
    )
    return [part for part in parts if part is not None]
