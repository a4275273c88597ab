"""Snooze choices: an hour, tomorrow morning, next week — always ending on an open slot."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.policy import (
    Action,
    AttentionState,
    Kind,
    MessageRequest,
    Reason,
    SnoozeChoice,
    decide,
    snooze_until,
)


def z(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (z(2026, 6, 1, 10), z(2026, 6, 1, 11)),
        (z(2026, 6, 1, 15, 59), z(2026, 6, 1, 16, 59)),
        (z(2026, 6, 1, 16), z(2026, 6, 2, 9)),  # 17:00 is closed
        (z(2026, 6, 5, 16, 30), z(2026, 6, 8, 9)),  # Friday afternoon -> Monday
        (z(2026, 6, 1, 7), z(2026, 6, 1, 9)),  # 08:00 is before work
        (z(2026, 6, 6, 11), z(2026, 6, 8, 9)),  # Saturday
    ],
)
def test_snooze_an_hour(now: datetime, expected: datetime) -> None:
    assert snooze_until(SnoozeChoice.hour, now, AttentionState()) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (z(2026, 6, 1, 10), z(2026, 6, 2, 9)),  # Monday -> Tuesday
        (z(2026, 6, 1, 7), z(2026, 6, 2, 9)),  # even before today's work: tomorrow means tomorrow
        (z(2026, 6, 1, 23, 30), z(2026, 6, 2, 9)),
        (z(2026, 6, 5, 10), z(2026, 6, 8, 9)),  # Friday -> Monday
        (z(2026, 6, 6, 10), z(2026, 6, 8, 9)),  # Saturday -> Monday
        (z(2026, 6, 7, 10), z(2026, 6, 8, 9)),  # Sunday -> Monday
    ],
)
def test_snooze_until_tomorrow_morning(now: datetime, expected: datetime) -> None:
    assert snooze_until(SnoozeChoice.tomorrow, now, AttentionState()) == expected


def test_tomorrow_skips_a_monday_holiday() -> None:
    state = AttentionState(holidays=frozenset({date(2026, 6, 8)}))
    assert snooze_until("tomorrow", z(2026, 6, 5, 10), state) == z(2026, 6, 9, 9)


def test_tomorrow_morning_starts_after_quiet_hours() -> None:
    state = AttentionState(work_start=time(7), work_end=time(17), quiet_hours=(time(20), time(8)))
    assert snooze_until("tomorrow", z(2026, 6, 1, 10), state) == z(2026, 6, 2, 8)


def test_tomorrow_is_the_persons_tomorrow() -> None:
    state = AttentionState(timezone="Asia/Tokyo")
    now = z(2026, 6, 1, 16)  # already Tuesday 01:00 in Tokyo
    assert snooze_until("tomorrow", now, state) == local("Asia/Tokyo", 2026, 6, 3, 9)


def test_tomorrow_across_spring_forward() -> None:
    state = AttentionState(timezone="America/Los_Angeles")
    now = local("America/Los_Angeles", 2026, 3, 6, 10)  # Friday, PST
    assert snooze_until("tomorrow", now, state) == z(2026, 3, 9, 16)  # Monday 09:00 PDT


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (z(2026, 6, 3, 10), z(2026, 6, 8, 9)),  # Wednesday -> next Monday
        (z(2026, 6, 1, 10), z(2026, 6, 8, 9)),  # Monday -> a week later
        (z(2026, 6, 5, 16), z(2026, 6, 8, 9)),  # Friday -> Monday
        (z(2026, 6, 7, 10), z(2026, 6, 8, 9)),  # Sunday -> tomorrow, the start of next week
    ],
)
def test_snooze_until_next_week(now: datetime, expected: datetime) -> None:
    assert snooze_until(SnoozeChoice.next_week, now, AttentionState()) == expected


def test_next_week_skips_a_monday_holiday() -> None:
    state = AttentionState(holidays=frozenset({date(2026, 6, 8)}))
    assert snooze_until("next_week", z(2026, 6, 3, 10), state) == z(2026, 6, 9, 9)


def test_next_week_for_someone_who_does_not_work_mondays_is_seven_days_on() -> None:
    state = AttentionState(working_days=frozenset({1, 2, 3, 4, 5}))  # Tuesday to Saturday
    assert snooze_until("next_week", z(2026, 6, 3, 10), state) == z(2026, 6, 10, 9)


def test_next_week_in_berlin_across_the_autumn_switch() -> None:
    state = AttentionState(timezone="Europe/Berlin")
    now = local("Europe/Berlin", 2026, 10, 21, 10)  # Wednesday, CEST
    assert snooze_until("next_week", now, state) == z(2026, 10, 26, 8)  # Monday 09:00 CET


def test_unknown_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="fortnight"):
        snooze_until("fortnight", z(2026, 6, 1, 10), AttentionState())


def test_snooze_replaces_an_existing_snooze() -> None:
    state = AttentionState(snoozed_until=z(2026, 6, 20, 9))
    assert snooze_until("hour", z(2026, 6, 1, 10), state) == z(2026, 6, 1, 11)


def test_the_snoozed_message_comes_back_at_the_snooze_end() -> None:
    now = z(2026, 6, 1, 10)
    state = AttentionState(snoozed_until=snooze_until("tomorrow", now, AttentionState()))
    decision = decide(state, MessageRequest(Kind.nudge), now)
    assert (decision.action, decision.reason, decision.at) == (Action.defer, Reason.snoozed, z(2026, 6, 2, 9))
