"""Working hours across midnight, hand-picked: a shift belongs to the day it starts.

A night shift 18:00–09:00 on Monday to Friday runs Monday 18:00 → Tuesday 09:00 (Monday's) and so on
to Friday 18:00 → Saturday 09:00 (Friday's). 1 June 2026 is a Monday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.policy import (
    AttentionState,
    Kind,
    MessageRequest,
    Reason,
    SnoozeChoice,
    add_working_days,
    add_working_hours,
    decide,
    is_open,
    next_open,
    snooze_until,
    working_hours_between,
)

NIGHT = AttentionState(work_start=time(18), work_end=time(9))
EVERY_DAY = frozenset(range(7))
BERLIN = ZoneInfo("Europe/Berlin")


def z(day: int, hour: int = 0, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (z(1, 20), z(1, 20)),  # Monday evening: Monday's shift
        (z(2, 3), z(2, 3)),  # Tuesday 03:00: still Monday's shift
        (z(2, 9), z(2, 18)),  # the end is exclusive
        (z(6, 8, 59), z(6, 8, 59)),  # Saturday morning: Friday's shift
        (z(6, 20), z(8, 18)),  # Saturday evening: no shift until Monday's
        (z(8, 3), z(8, 18)),  # Monday 03:00 belongs to Sunday, a day off
    ],
)
def test_a_night_shift_is_open_from_the_evening_of_a_working_day_to_the_next_morning(
    moment: datetime, expected: datetime
) -> None:
    assert next_open(NIGHT, moment) == expected


def test_a_holiday_removes_the_shift_starting_on_it_not_the_one_ending_on_it() -> None:
    state = AttentionState(
        work_start=time(18), work_end=time(9), working_days=EVERY_DAY, holidays=frozenset({date(2026, 6, 1)})
    )
    assert is_open(state, z(1, 3))  # Sunday night's shift reaches into the Monday holiday
    assert not is_open(state, z(1, 20))
    assert next_open(state, z(1, 9)) == z(2, 18)  # Monday night's shift is off, Tuesday's is on
    assert decide(state, MessageRequest(Kind.nudge), z(2, 3)).reason is Reason.holiday


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        (z(6, 12), Reason.non_working_day),  # Saturday noon, after Friday's shift
        (z(8, 3), Reason.non_working_day),  # Monday 03:00, in Sunday's shift
        (z(2, 12), Reason.outside_working_hours),  # Tuesday noon, between shifts
        (z(2, 22), Reason.quiet_hours),
    ],
)
def test_why_a_night_shift_message_waits(moment: datetime, reason: Reason) -> None:
    state = AttentionState(work_start=time(18), work_end=time(9), quiet_hours=(time(21), time(23)))
    decision = decide(state, MessageRequest(Kind.nudge), moment)
    assert decision.reason is reason and decision.at is not None and is_open(state, decision.at)


def test_quiet_hours_cut_a_night_shift_on_both_sides_of_midnight() -> None:
    state = AttentionState(work_start=time(18), work_end=time(9), quiet_hours=(time(20), time(8)))
    assert next_open(state, z(1, 20)) == z(2, 8)
    assert next_open(state, z(2, 9)) == z(2, 18)


def test_working_time_counts_the_whole_night_shift() -> None:
    assert working_hours_between(z(1, 18), z(2, 9), NIGHT) == timedelta(hours=15)
    assert working_hours_between(z(1), z(8), NIGHT) == timedelta(hours=75)  # five shifts
    assert working_hours_between(z(6, 3), z(8, 3), NIGHT) == timedelta(hours=6)  # Friday's tail


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (z(1, 23), 4, z(2, 3)),  # across midnight inside Monday's shift
        (z(2, 7), 4, z(2, 20)),  # 2 hours left of Monday's, 2 of Tuesday's
        (z(6, 8), 4, z(8, 21)),  # Friday's last hour, then Monday's
        (z(1, 18), 15, z(2, 9)),  # a whole shift ends at its end, not at the next start
    ],
)
def test_sla_deadlines_in_a_night_shift(start: datetime, hours: float, expected: datetime) -> None:
    assert add_working_hours(start, hours, NIGHT) == expected


def test_a_night_shift_across_the_spring_switch_is_an_hour_shorter() -> None:
    state = AttentionState(
        timezone="Europe/Berlin", work_start=time(18), work_end=time(9), working_days=EVERY_DAY
    )
    saturday = datetime(2026, 3, 28, 18, tzinfo=BERLIN)  # clocks go forward on Sunday at 02:00
    sunday_end = datetime(2026, 3, 29, 9, tzinfo=BERLIN)
    assert working_hours_between(saturday, sunday_end, state) == timedelta(hours=14)
    assert add_working_hours(saturday, 14, state) == sunday_end


def test_working_days_are_counted_by_the_shift_a_moment_is_in() -> None:
    assert add_working_days(z(2, 3), 1, NIGHT) == z(3, 3)  # Monday's shift + 1 = Tuesday's
    assert add_working_days(z(6, 3), 1, NIGHT) == z(9, 3)  # Friday's shift + 1 = Monday's
    assert add_working_days(z(2, 12), 1, NIGHT) == z(3, 12)  # between shifts: the calendar day


def test_snoozing_until_tomorrow_skips_to_the_next_shift() -> None:
    assert snooze_until(SnoozeChoice.tomorrow, z(2, 3), NIGHT) == z(2, 18)  # in Monday's shift
    assert snooze_until(SnoozeChoice.tomorrow, z(1, 20), NIGHT) == z(2, 18)
    assert snooze_until(SnoozeChoice.tomorrow, z(5, 20), NIGHT) == z(8, 18)  # Friday's → Monday's
    assert snooze_until(SnoozeChoice.next_week, z(2, 3), NIGHT) == z(8, 18)
    assert snooze_until(SnoozeChoice.hour, z(2, 8, 30), NIGHT) == z(2, 18)


def test_a_shift_until_midnight_and_a_whole_day() -> None:
    evening = AttentionState(work_start=time(9), work_end=time(0))
    assert is_open(evening, z(1, 23, 59)) and not is_open(evening, z(2, 0))
    whole = AttentionState(work_start=time(0), work_end=time(0))
    assert is_open(whole, z(1)) and is_open(whole, z(5, 23, 59)) and next_open(whole, z(6)) == z(8)
