"""Local-calendar arithmetic: open slots, working days and working hours, across DST and odd offsets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.policy import (
    AttentionState,
    add_working_days,
    add_working_hours,
    is_open,
    next_open,
    working_hours_between,
)
from bot.policy.calendar import add_working_days_each

LA = "America/Los_Angeles"
BERLIN = "Europe/Berlin"
TOKYO = "Asia/Tokyo"
KOLKATA = "Asia/Kolkata"
EVERY_DAY = frozenset(range(7))


def local(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A local wall time in `zone`, as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def z(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- next_open -------------------------------------------------------------------------------------


def test_inside_working_hours_is_open_now() -> None:
    assert next_open(AttentionState(), z(2026, 6, 1, 10, 15)) == z(2026, 6, 1, 10, 15)


def test_before_work_waits_for_the_start_of_the_day() -> None:
    assert next_open(AttentionState(), z(2026, 6, 1, 7)) == z(2026, 6, 1, 9)


def test_end_of_working_hours_is_exclusive() -> None:
    assert next_open(AttentionState(), z(2026, 6, 1, 17)) == z(2026, 6, 2, 9)
    assert next_open(AttentionState(), z(2026, 6, 1, 16, 59)) == z(2026, 6, 1, 16, 59)


def test_friday_evening_waits_for_monday_morning() -> None:
    assert next_open(AttentionState(), z(2026, 6, 5, 18)) == z(2026, 6, 8, 9)


def test_a_holiday_on_a_monday_is_skipped() -> None:
    state = AttentionState(timezone=BERLIN, holidays=frozenset({date(2026, 5, 25)}))  # Whit Monday
    assert next_open(state, local(BERLIN, 2026, 5, 22, 18)) == local(BERLIN, 2026, 5, 26, 9)


def test_consecutive_holidays_are_all_skipped() -> None:
    holidays = frozenset(date(2026, 12, day) for day in (24, 25, 28, 29, 30, 31))
    state = AttentionState(holidays=holidays)
    assert next_open(state, z(2026, 12, 23, 17, 30)) == z(2027, 1, 1, 9)


def test_quiet_hours_wrapping_midnight_shorten_a_long_day() -> None:
    state = AttentionState(work_start=time(7), work_end=time(22), quiet_hours=(time(20), time(8)))
    assert next_open(state, z(2026, 6, 1, 7, 30)) == z(2026, 6, 1, 8)
    assert next_open(state, z(2026, 6, 1, 19, 59)) == z(2026, 6, 1, 19, 59)
    assert next_open(state, z(2026, 6, 1, 21)) == z(2026, 6, 2, 8)
    assert next_open(state, z(2026, 6, 2, 1)) == z(2026, 6, 2, 8)


def test_quiet_lunch_hour_splits_the_day() -> None:
    state = AttentionState(quiet_hours=(time(12), time(13)))
    assert next_open(state, z(2026, 6, 1, 12, 30)) == z(2026, 6, 1, 13)
    assert next_open(state, z(2026, 6, 1, 11, 59)) == z(2026, 6, 1, 11, 59)


def test_half_hour_zone_kolkata() -> None:
    state = AttentionState(timezone=KOLKATA)  # UTC+05:30
    assert next_open(state, z(2026, 6, 1, 3)) == z(2026, 6, 1, 3, 30)  # 08:30 IST -> 09:00 IST
    assert next_open(state, z(2026, 6, 1, 11, 29)) == z(2026, 6, 1, 11, 29)  # 16:59 IST
    assert next_open(state, z(2026, 6, 1, 11, 30)) == z(2026, 6, 2, 3, 30)  # 17:00 IST


def test_the_same_instant_is_open_in_los_angeles_and_closed_in_tokyo() -> None:
    moment = z(2026, 6, 1, 17)  # Monday 10:00 in Los Angeles, Tuesday 02:00 in Tokyo
    assert next_open(AttentionState(timezone=LA), moment) == moment
    assert next_open(AttentionState(timezone=TOKYO), moment) == local(TOKYO, 2026, 6, 2, 9)


def test_tokyo_monday_morning_is_midnight_utc() -> None:
    state = AttentionState(timezone=TOKYO)
    assert next_open(state, z(2026, 6, 7, 14)) == z(2026, 6, 8, 0)  # Sunday 23:00 JST -> Monday 09:00 JST


def test_los_angeles_spring_forward_weekend() -> None:
    state = AttentionState(timezone=LA)  # PST (UTC-8) until 8 March 2026, then PDT (UTC-7)
    assert next_open(state, local(LA, 2026, 3, 6, 17, 30)) == z(2026, 3, 9, 16)


def test_los_angeles_fall_back_weekend() -> None:
    state = AttentionState(timezone=LA)  # PDT until 1 November 2026, then PST
    assert next_open(state, local(LA, 2026, 10, 30, 17, 30)) == z(2026, 11, 2, 17)


def test_a_working_day_starting_in_the_skipped_hour_starts_at_the_jump() -> None:
    # The clock goes from 01:59:59 to 03:00: from then on it shows a time past 02:30.
    state = AttentionState(timezone=LA, working_days=EVERY_DAY, work_start=time(2, 30), work_end=time(6))
    assert next_open(state, local(LA, 2026, 3, 8, 0)) == local(LA, 2026, 3, 8, 3)


def test_a_shift_ending_in_the_skipped_hour_ends_at_the_jump() -> None:
    state = AttentionState(timezone=LA, working_days=EVERY_DAY, work_start=time(22), work_end=time(2, 30))
    assert is_open(state, local(LA, 2026, 3, 8, 1, 59))
    assert next_open(state, local(LA, 2026, 3, 8, 3)) == local(LA, 2026, 3, 8, 22)


def test_berlin_spring_and_autumn_switches() -> None:
    state = AttentionState(timezone=BERLIN)
    assert next_open(state, local(BERLIN, 2026, 3, 27, 18)) == z(2026, 3, 30, 7)  # CEST
    assert next_open(state, local(BERLIN, 2026, 10, 23, 18)) == z(2026, 10, 26, 8)  # CET


def test_a_weekend_worker_gets_messages_on_sunday() -> None:
    state = AttentionState(working_days=frozenset({6, 0, 1, 2, 3}))  # Sunday to Thursday
    assert next_open(state, z(2026, 6, 4, 18)) == z(2026, 6, 7, 9)


def test_is_open() -> None:
    state = AttentionState()
    assert is_open(state, z(2026, 6, 1, 9))
    assert not is_open(state, z(2026, 6, 1, 8, 59))
    assert not is_open(state, z(2026, 6, 6, 10))


# --- working hours for SLAs --------------------------------------------------------------------------


def test_four_working_hours_from_friday_afternoon_is_monday_noon() -> None:
    state = AttentionState(timezone=BERLIN)
    assert add_working_hours(local(BERLIN, 2026, 6, 5, 16), 4, state) == local(BERLIN, 2026, 6, 8, 12)


def test_working_hours_that_use_up_the_day_end_at_the_end_of_work() -> None:
    assert add_working_hours(z(2026, 6, 1, 13), 4, AttentionState()) == z(2026, 6, 1, 17)


def test_working_hours_from_a_weekend_start_on_monday() -> None:
    assert add_working_hours(z(2026, 6, 6, 10), 4, AttentionState()) == z(2026, 6, 8, 13)


def test_working_hours_from_before_work_start_at_work_start() -> None:
    assert add_working_hours(z(2026, 6, 1, 6), 1.5, AttentionState()) == z(2026, 6, 1, 10, 30)


def test_a_working_week_is_forty_hours() -> None:
    assert add_working_hours(z(2026, 6, 1, 9), 40, AttentionState()) == z(2026, 6, 5, 17)


def test_working_hours_accept_a_timedelta_and_zero() -> None:
    state = AttentionState()
    assert add_working_hours(z(2026, 6, 1, 9), timedelta(minutes=90), state) == z(2026, 6, 1, 10, 30)
    assert add_working_hours(z(2026, 6, 6, 9), 0, state) == z(2026, 6, 6, 9)


def test_negative_working_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_hours(z(2026, 6, 1, 9), -1, AttentionState())


def test_working_hours_skip_a_monday_holiday() -> None:
    state = AttentionState(timezone=BERLIN, holidays=frozenset({date(2026, 5, 25)}))
    assert add_working_hours(local(BERLIN, 2026, 5, 22, 16), 4, state) == local(BERLIN, 2026, 5, 26, 12)


def test_working_hours_across_los_angeles_spring_forward() -> None:
    state = AttentionState(timezone=LA)
    assert add_working_hours(local(LA, 2026, 3, 6, 15), 4, state) == z(2026, 3, 9, 18)  # Mon 11:00 PDT


def test_working_hours_across_berlin_autumn_switch() -> None:
    state = AttentionState(timezone=BERLIN)
    assert add_working_hours(local(BERLIN, 2026, 10, 23, 16), 4, state) == z(2026, 10, 26, 11)


def test_sla_in_the_owners_zone_not_the_askers() -> None:
    asked = z(2026, 6, 1, 17)  # Monday 10:00 in Los Angeles, Tuesday 02:00 in Tokyo
    tokyo_owner = AttentionState(timezone=TOKYO)
    la_owner = AttentionState(timezone=LA)
    assert add_working_hours(asked, 4, tokyo_owner) == local(TOKYO, 2026, 6, 2, 13)
    assert add_working_hours(asked, 4, la_owner) == local(LA, 2026, 6, 1, 14)


def test_working_hours_between_counts_only_working_time() -> None:
    state = AttentionState()
    assert working_hours_between(z(2026, 6, 1, 9), z(2026, 6, 1, 17), state) == timedelta(hours=8)
    assert working_hours_between(z(2026, 6, 5, 16), z(2026, 6, 8, 10), state) == timedelta(hours=2)
    assert working_hours_between(z(2026, 6, 6, 0), z(2026, 6, 7, 23), state) == timedelta(0)
    assert working_hours_between(z(2026, 6, 1, 20), z(2026, 6, 2, 8), state) == timedelta(0)


def test_working_hours_between_is_negative_backwards() -> None:
    state = AttentionState()
    assert working_hours_between(z(2026, 6, 8, 10), z(2026, 6, 5, 16), state) == timedelta(hours=-2)


def test_working_hours_between_across_spring_forward_weekend() -> None:
    state = AttentionState(timezone=LA)
    friday, monday = local(LA, 2026, 3, 6, 9), local(LA, 2026, 3, 9, 17)
    assert working_hours_between(friday, monday, state) == timedelta(hours=16)


def test_a_dst_day_has_one_hour_less_or_more_of_real_time() -> None:
    state = AttentionState(timezone=LA, working_days=EVERY_DAY, work_start=time(0), work_end=time(6))
    spring = working_hours_between(local(LA, 2026, 3, 8, 0), local(LA, 2026, 3, 9, 0), state)
    autumn = working_hours_between(local(LA, 2026, 11, 1, 0), local(LA, 2026, 11, 2, 0), state)
    assert (spring, autumn) == (timedelta(hours=5), timedelta(hours=7))


def test_working_hours_between_agrees_with_add_working_hours() -> None:
    state = AttentionState(timezone=KOLKATA, holidays=frozenset({date(2026, 6, 3)}))
    start = z(2026, 6, 1, 10, 17)
    for hours in (0.5, 3, 8, 13.25, 41):
        end = add_working_hours(start, hours, state)
        assert working_hours_between(start, end, state) == timedelta(hours=hours)


# --- working days ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (z(2026, 6, 1, 10), 0, z(2026, 6, 1, 10)),
        (z(2026, 6, 1, 10), 1, z(2026, 6, 2, 10)),
        (z(2026, 6, 5, 10), 1, z(2026, 6, 8, 10)),  # Friday + 1 = Monday
        (z(2026, 6, 6, 10), 1, z(2026, 6, 8, 10)),  # Saturday + 1 = Monday
        (z(2026, 6, 1, 10), 5, z(2026, 6, 8, 10)),
        (z(2026, 6, 1, 20), 2, z(2026, 6, 3, 20)),  # the time of day is kept
    ],
)
def test_add_working_days(start: datetime, days: int, expected: datetime) -> None:
    assert add_working_days(start, days, AttentionState()) == expected


def test_add_working_days_skips_a_monday_holiday() -> None:
    state = AttentionState(timezone=BERLIN, holidays=frozenset({date(2026, 5, 25)}))
    assert add_working_days(local(BERLIN, 2026, 5, 22, 10), 1, state) == local(BERLIN, 2026, 5, 26, 10)


def test_add_working_days_keeps_the_local_time_across_dst() -> None:
    state = AttentionState(timezone=LA)
    assert add_working_days(local(LA, 2026, 3, 6, 10), 1, state) == z(2026, 3, 9, 17)  # 10:00 PDT
    assert add_working_days(local(LA, 2026, 10, 30, 10), 1, state) == z(2026, 11, 2, 18)  # 10:00 PST


def test_add_working_days_uses_the_local_date_in_tokyo() -> None:
    state = AttentionState(timezone=TOKYO)
    friday_evening_utc = z(2026, 6, 5, 20)  # already Saturday 05:00 in Tokyo
    assert add_working_days(friday_evening_utc, 1, state) == local(TOKYO, 2026, 6, 8, 5)


def test_several_counts_in_one_walk_match_one_at_a_time() -> None:
    state = AttentionState(timezone=BERLIN, holidays=frozenset({date(2026, 5, 25)}))
    start = local(BERLIN, 2026, 5, 22, 10)
    counts = (14, 0, 3, 1, 3, 9)
    each = add_working_days_each(start, counts, state)
    assert each == {n: add_working_days(start, n, state) for n in counts}


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(z(2026, 6, 1, 9), -1, AttentionState())


def test_results_are_aware_utc() -> None:
    state = AttentionState(timezone=TOKYO)
    for result in (
        next_open(state, local(TOKYO, 2026, 6, 1, 8)),
        add_working_hours(local(TOKYO, 2026, 6, 1, 8), 2, state),
        add_working_days(local(TOKYO, 2026, 6, 1, 8), 2, state),
    ):
        assert result.tzinfo is UTC
