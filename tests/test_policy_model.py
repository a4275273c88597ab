"""The attention policy's inputs: validation, time zones, open windows, priorities."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.policy import PRIORITY, AttentionState, Kind, MessageRequest, Send, resolve_timezone
from bot.policy.model import BUDGETED_KINDS, PROGRAMME_KINDS, open_windows, utc


def test_defaults_are_nine_to_five_monday_to_friday_in_utc() -> None:
    state = AttentionState()
    assert state.timezone == "UTC"
    assert (state.work_start, state.work_end) == (time(9), time(17))
    assert state.working_days == frozenset({0, 1, 2, 3, 4})
    assert state.windows == ((9 * 3600, 17 * 3600),)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"timezone": "../etc/passwd"}, "unknown time zone"),
        (
            {"work_start": time(22), "work_end": time(6), "quiet_hours": (time(20), time(8))},
            "whole working day",
        ),
        ({"working_days": frozenset()}, "working days"),
        ({"working_days": frozenset({7})}, "working days"),
        ({"quiet_hours": (time(20), time(20))}, "different times"),
        ({"quiet_hours": (time(8), time(18))}, "whole working day"),
        ({"quiet_hours": (time(9), time(8))}, "whole working day"),
        ({"weekly_cap": 0}, "at least 1"),
        ({"min_gap": timedelta(hours=-1)}, "negative"),
        ({"snoozed_until": datetime(2026, 6, 1, 9)}, "naive"),
        ({"recent": (Send(datetime(2026, 6, 1, 9), Kind.nudge),)}, "naive"),
    ],
)
def test_invalid_state_is_refused_with_a_clear_message(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AttentionState(**kwargs)  # type: ignore[arg-type]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc(datetime(2026, 6, 1, 9))


def test_utc_converts_aware_datetimes() -> None:
    from zoneinfo import ZoneInfo

    tokyo = datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert utc(tokyo) == datetime(2026, 6, 1, 0, tzinfo=UTC)
    assert utc(tokyo).tzinfo is UTC


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (("Europe/Berlin", "Asia/Tokyo"), "Europe/Berlin"),  # the person's override wins
        ((None, "Asia/Tokyo"), "Asia/Tokyo"),
        (("", "Asia/Kolkata"), "Asia/Kolkata"),
        (("Not/AZone", "America/Los_Angeles"), "America/Los_Angeles"),
        ((None, None), "UTC"),
        (("nonsense",), "UTC"),
    ],
)
def test_resolve_timezone_takes_the_first_valid_name(
    candidates: tuple[str | None, ...], expected: str
) -> None:
    assert resolve_timezone(*candidates) == expected


def test_resolve_timezone_default_can_be_chosen() -> None:
    assert resolve_timezone(None, default="Europe/London") == "Europe/London"


@pytest.mark.parametrize(
    ("work", "quiet", "expected"),
    [
        ((time(9), time(17)), None, ((9, 17),)),
        ((time(7), time(22)), (time(20), time(8)), ((8, 20),)),  # wraps midnight
        ((time(9), time(17)), (time(12), time(13)), ((9, 12), (13, 17))),  # a quiet lunch hour
        ((time(9), time(17)), (time(22), time(6)), ((9, 17),)),  # quiet hours outside the day
        ((time(9), time(17)), (time(16), time(23)), ((9, 16),)),
        ((time(9), time(17)), (time(0), time(10)), ((10, 17),)),
        ((time(9), time(17)), (time(9), time(17)), ()),
    ],
)
def test_open_windows_subtract_quiet_hours_from_working_hours(
    work: tuple[time, time], quiet: tuple[time, time] | None, expected: tuple[tuple[int, int], ...]
) -> None:
    hours = tuple((a * 3600, b * 3600) for a, b in expected)
    assert open_windows(work, quiet) == hours


@pytest.mark.parametrize(
    ("work", "quiet", "expected"),
    [
        ((time(18), time(9)), None, ((18, 33),)),  # a night shift ends on the next day
        ((time(18), time(9)), (time(20), time(8)), ((18, 20), (32, 33))),  # quiet on both days
        ((time(18), time(9)), (time(12), time(13)), ((18, 33),)),
        ((time(22), time(2)), (time(0, 30), time(1)), ((22, 24.5), (25, 26))),
        ((time(9), time(0)), None, ((9, 24),)),  # until midnight
        ((time(0), time(0)), None, ((0, 24),)),  # equal times: the whole day
        ((time(6), time(6)), (time(22), time(6)), ((6, 22),)),
    ],
)
def test_open_windows_of_a_shift_past_midnight(
    work: tuple[time, time], quiet: tuple[time, time] | None, expected: tuple[tuple[float, float], ...]
) -> None:
    assert open_windows(work, quiet) == tuple((int(a * 3600), int(b * 3600)) for a, b in expected)


def test_a_night_shift_is_a_valid_state() -> None:
    state = AttentionState(work_start=time(18), work_end=time(9))
    assert state.shift == (18 * 3600, 33 * 3600)


def test_open_windows_keep_half_hours() -> None:
    assert open_windows((time(9, 30), time(18)), (time(13), time(13, 30))) == (
        (9 * 3600 + 1800, 13 * 3600),
        (13 * 3600 + 1800, 18 * 3600),
    )


def test_priority_order_puts_answers_first_and_tips_last() -> None:
    ordered = sorted(Kind, key=lambda kind: PRIORITY[kind])
    assert ordered == [
        Kind.answer,
        Kind.escalation_notice,
        Kind.reminder,
        Kind.announcement,
        Kind.question,
        Kind.nudge,
        Kind.tip,
    ]


def test_every_kind_has_a_priority() -> None:
    assert set(PRIORITY) == set(Kind)


def test_request_rank_defaults_to_its_kind_and_can_be_overridden() -> None:
    assert MessageRequest(Kind.nudge).rank == PRIORITY[Kind.nudge]
    assert MessageRequest(Kind.nudge, priority=1).rank == 1


def test_answers_spend_no_budget_and_stop_holds_only_the_programme() -> None:
    assert Kind.answer not in BUDGETED_KINDS
    assert frozenset(Kind) - {Kind.answer} == BUDGETED_KINDS
    assert frozenset({Kind.nudge, Kind.tip, Kind.question}) == PROGRAMME_KINDS


def test_budgeted_sends_are_sorted_utc_and_skip_answers() -> None:
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    state = AttentionState(
        recent=(
            Send(datetime(2026, 6, 2, 9, tzinfo=tokyo), Kind.nudge),
            Send(datetime(2026, 6, 1, 9, tzinfo=UTC), Kind.answer),
            Send(datetime(2026, 6, 1, 8, tzinfo=UTC), Kind.reminder),
        )
    )
    assert state.budgeted_sends() == [
        datetime(2026, 6, 1, 8, tzinfo=UTC),
        datetime(2026, 6, 2, 0, tzinfo=UTC),
    ]
