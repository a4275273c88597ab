"""decide / next_allowed_slot / plan: one rule at a time, then batches. Monday 1 June 2026 unless said."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.policy import (
    Action,
    AttentionState,
    Decision,
    Kind,
    MessageRequest,
    Reason,
    Send,
    decide,
    next_allowed_slot,
    plan,
)


def z(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


NUDGE = MessageRequest(Kind.nudge)


def sends(*moments: datetime, kind: Kind = Kind.nudge) -> tuple[Send, ...]:
    return tuple(Send(moment, kind) for moment in moments)


def defer(reason: Reason, at: datetime, *, late: bool = False) -> Decision:
    return Decision(Action.defer, reason, at, late)


# --- the calendar rules ---------------------------------------------------------------------------------


def test_inside_working_hours_it_sends_now() -> None:
    assert decide(AttentionState(), NUDGE, z(2026, 6, 1, 10)) == Decision(
        Action.send, Reason.allowed, z(2026, 6, 1, 10)
    )


def test_send_time_is_utc_even_when_now_is_local() -> None:
    decision = decide(AttentionState(), NUDGE, local("Asia/Tokyo", 2026, 6, 1, 19))
    assert decision.at == z(2026, 6, 1, 10)
    assert decision.at is not None and decision.at.tzinfo is UTC


def test_before_working_hours_it_waits_for_the_start() -> None:
    assert decide(AttentionState(), NUDGE, z(2026, 6, 1, 7)) == defer(
        Reason.outside_working_hours, z(2026, 6, 1, 9)
    )


def test_friday_evening_waits_for_monday() -> None:
    assert decide(AttentionState(), NUDGE, z(2026, 6, 5, 18)) == defer(
        Reason.outside_working_hours, z(2026, 6, 8, 9)
    )


def test_weekend_waits_for_monday() -> None:
    assert decide(AttentionState(), NUDGE, z(2026, 6, 6, 11)) == defer(
        Reason.non_working_day, z(2026, 6, 8, 9)
    )


def test_a_monday_holiday_waits_for_tuesday() -> None:
    state = AttentionState(holidays=frozenset({date(2026, 6, 1)}))
    assert decide(state, NUDGE, z(2026, 6, 1, 10)) == defer(Reason.holiday, z(2026, 6, 2, 9))


def test_quiet_hours_wrapping_midnight() -> None:
    state = AttentionState(work_start=time(7), work_end=time(22), quiet_hours=(time(20), time(8)))
    assert decide(state, NUDGE, z(2026, 6, 1, 21)) == defer(Reason.quiet_hours, z(2026, 6, 2, 8))
    assert decide(state, NUDGE, z(2026, 6, 1, 7, 30)) == defer(Reason.quiet_hours, z(2026, 6, 1, 8))
    assert decide(state, NUDGE, z(2026, 6, 1, 23)) == defer(Reason.outside_working_hours, z(2026, 6, 2, 8))


def test_tokyo_and_los_angeles_at_the_same_instant() -> None:
    now = z(2026, 6, 1, 17)  # Monday 10:00 in Los Angeles, Tuesday 02:00 in Tokyo
    assert decide(AttentionState(timezone="America/Los_Angeles"), NUDGE, now).action is Action.send
    assert decide(AttentionState(timezone="Asia/Tokyo"), NUDGE, now) == defer(
        Reason.outside_working_hours, local("Asia/Tokyo", 2026, 6, 2, 9)
    )


def test_kolkata_half_hour_offset() -> None:
    state = AttentionState(timezone="Asia/Kolkata")
    assert decide(state, NUDGE, z(2026, 6, 1, 3)) == defer(Reason.outside_working_hours, z(2026, 6, 1, 3, 30))


def test_los_angeles_after_spring_forward() -> None:
    state = AttentionState(timezone="America/Los_Angeles")
    assert decide(state, NUDGE, local("America/Los_Angeles", 2026, 3, 6, 18)) == defer(
        Reason.outside_working_hours, z(2026, 3, 9, 16)
    )


# --- snooze, stop, earliest, latest -------------------------------------------------------------------


def test_snooze_defers_to_its_end() -> None:
    state = AttentionState(snoozed_until=z(2026, 6, 1, 15))
    assert decide(state, NUDGE, z(2026, 6, 1, 10)) == defer(Reason.snoozed, z(2026, 6, 1, 15))


def test_snooze_ending_on_a_weekend_defers_to_monday() -> None:
    state = AttentionState(snoozed_until=z(2026, 6, 6, 12))
    assert decide(state, NUDGE, z(2026, 6, 5, 10)) == defer(Reason.snoozed, z(2026, 6, 8, 9))


def test_an_expired_snooze_does_nothing() -> None:
    state = AttentionState(snoozed_until=z(2026, 6, 1, 9))
    assert decide(state, NUDGE, z(2026, 6, 1, 10)).action is Action.send


@pytest.mark.parametrize("kind", [Kind.nudge, Kind.tip, Kind.question])
def test_stop_holds_programme_messages(kind: Kind) -> None:
    state = AttentionState(stopped=True)
    assert decide(state, MessageRequest(kind), z(2026, 6, 1, 10)) == Decision(Action.hold, Reason.stopped)


@pytest.mark.parametrize("kind", [Kind.reminder, Kind.announcement, Kind.escalation_notice, Kind.answer])
def test_stop_lets_operational_messages_and_answers_go(kind: Kind) -> None:
    state = AttentionState(stopped=True)
    assert decide(state, MessageRequest(kind), z(2026, 6, 1, 10)).action is Action.send


def test_earliest_in_the_future_defers_to_it() -> None:
    request = MessageRequest(Kind.reminder, earliest=z(2026, 6, 1, 11))
    assert decide(AttentionState(), request, z(2026, 6, 1, 10)) == defer(
        Reason.before_earliest, z(2026, 6, 1, 11)
    )


def test_earliest_outside_hours_defers_to_the_next_slot_after_it() -> None:
    request = MessageRequest(Kind.reminder, earliest=z(2026, 6, 1, 18))
    assert decide(AttentionState(), request, z(2026, 6, 1, 10)) == defer(
        Reason.before_earliest, z(2026, 6, 2, 9)
    )


def test_earliest_in_the_past_sends_now() -> None:
    request = MessageRequest(Kind.reminder, earliest=z(2026, 5, 1, 11))
    assert decide(AttentionState(), request, z(2026, 6, 1, 10)).action is Action.send


def test_a_slot_after_the_latest_useful_time_is_kept_and_flagged_late() -> None:
    request = MessageRequest(Kind.reminder, latest=z(2026, 6, 6, 12))
    assert decide(AttentionState(), request, z(2026, 6, 5, 18)) == defer(
        Reason.outside_working_hours, z(2026, 6, 8, 9), late=True
    )


def test_a_slot_before_the_latest_useful_time_is_not_late() -> None:
    request = MessageRequest(Kind.reminder, latest=z(2026, 6, 8, 9))
    assert decide(AttentionState(), request, z(2026, 6, 5, 18)).late is False


def test_a_message_already_past_its_latest_useful_time_still_goes_flagged_late() -> None:
    request = MessageRequest(Kind.reminder, latest=z(2026, 6, 1, 9))
    assert decide(AttentionState(), request, z(2026, 6, 1, 10)) == Decision(
        Action.send, Reason.allowed, z(2026, 6, 1, 10), late=True
    )
    critical = MessageRequest(Kind.announcement, critical=True, latest=z(2026, 6, 1, 9))
    assert decide(AttentionState(), critical, z(2026, 6, 1, 10)).late is True


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        decide(AttentionState(), NUDGE, datetime(2026, 6, 1, 10))


# --- the shared budget: gap and weekly cap ------------------------------------------------------------


def test_min_gap_after_the_last_send() -> None:
    state = AttentionState(recent=sends(z(2026, 6, 1, 10)))
    assert decide(state, NUDGE, z(2026, 6, 1, 12)) == defer(Reason.min_gap, z(2026, 6, 1, 14))


def test_min_gap_is_shared_by_all_kinds() -> None:
    state = AttentionState(recent=sends(z(2026, 6, 1, 10), kind=Kind.announcement))
    assert decide(state, MessageRequest(Kind.question), z(2026, 6, 1, 12)).at == z(2026, 6, 1, 14)


def test_exactly_the_min_gap_later_is_allowed() -> None:
    state = AttentionState(recent=sends(z(2026, 6, 1, 10)))
    assert decide(state, NUDGE, z(2026, 6, 1, 14)).action is Action.send


def test_min_gap_running_past_the_end_of_the_day_waits_for_tomorrow() -> None:
    state = AttentionState(recent=sends(z(2026, 6, 1, 15)))
    assert decide(state, NUDGE, z(2026, 6, 1, 16)) == defer(Reason.min_gap, z(2026, 6, 2, 9))


def test_min_gap_holds_before_an_already_planned_send_too() -> None:
    state = AttentionState(recent=sends(z(2026, 6, 1, 12)))
    assert decide(state, NUDGE, z(2026, 6, 1, 10)) == defer(Reason.min_gap, z(2026, 6, 1, 16))


def test_min_gap_of_zero_allows_back_to_back() -> None:
    state = AttentionState(min_gap=timedelta(0), recent=sends(z(2026, 6, 1, 10)))
    assert decide(state, NUDGE, z(2026, 6, 1, 10)).action is Action.send


FULL_WEEK = sends(
    z(2026, 5, 26, 10), z(2026, 5, 27, 10), z(2026, 5, 28, 10), z(2026, 5, 29, 10), z(2026, 6, 1, 9)
)


def test_full_weekly_cap_waits_for_the_oldest_send_to_leave_the_window() -> None:
    state = AttentionState(recent=FULL_WEEK)
    assert decide(state, NUDGE, z(2026, 6, 1, 14)) == defer(Reason.weekly_cap, z(2026, 6, 2, 10))


def test_four_sends_leave_room_for_a_fifth() -> None:
    state = AttentionState(recent=FULL_WEEK[1:])
    assert decide(state, NUDGE, z(2026, 6, 1, 14)).action is Action.send


def test_cap_freed_outside_working_hours_waits_for_the_next_open_slot() -> None:
    critical_at_night = Send(z(2026, 5, 26, 18), Kind.announcement)
    state = AttentionState(recent=(critical_at_night, *FULL_WEEK[1:]))
    assert decide(state, NUDGE, z(2026, 6, 1, 14)) == defer(Reason.weekly_cap, z(2026, 6, 3, 9))


def test_a_smaller_cap() -> None:
    state = AttentionState(weekly_cap=2, recent=sends(z(2026, 5, 28, 10), z(2026, 6, 1, 9)))
    assert decide(state, NUDGE, z(2026, 6, 1, 14)) == defer(Reason.weekly_cap, z(2026, 6, 4, 10))


def test_sends_older_than_a_week_do_not_count() -> None:
    old = sends(*(z(2026, 5, 18 + day, 10) for day in range(5)))
    assert decide(AttentionState(recent=old), NUDGE, z(2026, 6, 1, 10)).action is Action.send


def test_answers_neither_spend_nor_wait_for_the_budget() -> None:
    answered = AttentionState(
        recent=sends(*(z(2026, 6, 1, 9, minute) for minute in range(6)), kind=Kind.answer)
    )
    assert decide(answered, NUDGE, z(2026, 6, 1, 10)).action is Action.send
    full = AttentionState(recent=FULL_WEEK, snoozed_until=z(2026, 6, 8, 9))
    assert decide(full, MessageRequest(Kind.answer), z(2026, 6, 1, 14)).action is Action.send


def test_answers_still_wait_for_working_hours() -> None:
    assert decide(AttentionState(), MessageRequest(Kind.answer), z(2026, 6, 6, 10)) == defer(
        Reason.non_working_day, z(2026, 6, 8, 9)
    )


# --- critical -------------------------------------------------------------------------------------------


def test_critical_bypasses_everything() -> None:
    state = AttentionState(
        quiet_hours=(time(20), time(8)),
        holidays=frozenset({date(2026, 6, 6)}),
        snoozed_until=z(2026, 6, 20, 9),
        stopped=True,
        recent=FULL_WEEK,
    )
    for kind in Kind:
        request = MessageRequest(kind, critical=True)
        assert decide(state, request, z(2026, 6, 6, 3)) == Decision(
            Action.send, Reason.critical, z(2026, 6, 6, 3)
        )


def test_critical_with_a_future_earliest_waits_only_for_it() -> None:
    request = MessageRequest(Kind.announcement, critical=True, earliest=z(2026, 6, 6, 3))
    assert decide(AttentionState(), request, z(2026, 6, 5, 22)) == defer(
        Reason.before_earliest, z(2026, 6, 6, 3)
    )


# --- next_allowed_slot ----------------------------------------------------------------------------------


def test_next_allowed_slot_combines_every_rule() -> None:
    state = AttentionState(
        timezone="Europe/Berlin",
        holidays=frozenset({date(2026, 5, 25)}),
        snoozed_until=local("Europe/Berlin", 2026, 5, 22, 16),
        recent=sends(local("Europe/Berlin", 2026, 5, 26, 8)),  # a critical notice before work
    )
    assert next_allowed_slot(state, local("Europe/Berlin", 2026, 5, 22, 10)) == local(
        "Europe/Berlin", 2026, 5, 22, 16
    )
    after_weekend = next_allowed_slot(state, local("Europe/Berlin", 2026, 5, 22, 17))
    assert after_weekend == local("Europe/Berlin", 2026, 5, 26, 12)


def test_next_allowed_slot_is_idempotent() -> None:
    state = AttentionState(recent=FULL_WEEK)
    slot = next_allowed_slot(state, z(2026, 6, 1, 14))
    assert next_allowed_slot(state, slot) == slot


# --- plan: a priority-ordered batch -------------------------------------------------------------------


def test_competing_messages_go_in_priority_order_a_gap_apart() -> None:
    requests = [
        MessageRequest(Kind.tip, key="t"),
        MessageRequest(Kind.reminder, key="r"),
        MessageRequest(Kind.nudge, key="n"),
    ]
    planned = plan(AttentionState(), requests, z(2026, 6, 1, 9))
    assert [(item.request.key, item.decision.at) for item in planned] == [
        ("r", z(2026, 6, 1, 9)),
        ("n", z(2026, 6, 1, 13)),
        ("t", z(2026, 6, 2, 9)),  # 17:00 is closed
    ]
    assert planned[0].decision.action is Action.send
    assert [item.decision.reason for item in planned[1:]] == [Reason.min_gap, Reason.min_gap]


def test_plan_drops_nothing_and_holds_programme_messages_when_stopped() -> None:
    requests = [MessageRequest(kind, key=kind.value) for kind in Kind]
    planned = plan(AttentionState(stopped=True), requests, z(2026, 6, 1, 9))
    assert sorted(item.request.key for item in planned) == sorted(kind.value for kind in Kind)
    held = {item.request.kind for item in planned if item.decision.action is Action.hold}
    assert held == {Kind.nudge, Kind.tip, Kind.question}
    assert all(item.decision.at is not None for item in planned if item.request.kind not in held)


def test_plan_respects_the_weekly_cap() -> None:
    state = AttentionState(weekly_cap=2)
    requests = [MessageRequest(Kind.nudge, key=str(index)) for index in range(4)]
    times = [item.decision.at for item in plan(state, requests, z(2026, 6, 1, 9))]
    assert times == [z(2026, 6, 1, 9), z(2026, 6, 1, 13), z(2026, 6, 8, 9), z(2026, 6, 8, 13)]


def test_a_critical_message_in_a_batch_goes_now_and_pushes_the_rest() -> None:
    requests = [
        MessageRequest(Kind.nudge, key="n"),
        MessageRequest(Kind.announcement, critical=True, key="c"),
    ]
    planned = plan(AttentionState(), requests, z(2026, 6, 1, 10))
    assert [(item.request.key, item.decision.at) for item in planned] == [
        ("c", z(2026, 6, 1, 10)),
        ("n", z(2026, 6, 1, 14)),
    ]


def test_critical_messages_are_placed_before_the_rest() -> None:
    requests = [MessageRequest(Kind.reminder, key="r"), MessageRequest(Kind.tip, critical=True, key="c")]
    planned = plan(AttentionState(), requests, z(2026, 6, 1, 10))
    assert [(item.request.key, item.decision.at) for item in planned] == [
        ("c", z(2026, 6, 1, 10)),
        ("r", z(2026, 6, 1, 14)),
    ]


def test_a_lower_priority_message_fills_an_earlier_free_slot() -> None:
    requests = [
        MessageRequest(Kind.nudge, key="n"),
        MessageRequest(Kind.reminder, earliest=z(2026, 6, 2, 9), key="r"),
    ]
    planned = plan(AttentionState(), requests, z(2026, 6, 1, 10))
    assert [(item.request.key, item.decision.at) for item in planned] == [
        ("r", z(2026, 6, 2, 9)),
        ("n", z(2026, 6, 1, 10)),
    ]


def test_equal_priority_goes_by_earliest_then_by_order_given() -> None:
    requests = [
        MessageRequest(Kind.nudge, key="later", earliest=z(2026, 6, 1, 11)),
        MessageRequest(Kind.nudge, key="first"),
        MessageRequest(Kind.nudge, key="second"),
    ]
    planned = plan(AttentionState(), requests, z(2026, 6, 1, 9))
    assert [item.request.key for item in planned] == ["first", "second", "later"]
    assert [item.decision.at for item in planned] == [z(2026, 6, 1, 9), z(2026, 6, 1, 13), z(2026, 6, 2, 9)]


def test_an_explicit_priority_overrides_the_kind() -> None:
    requests = [MessageRequest(Kind.reminder, key="r"), MessageRequest(Kind.tip, priority=1, key="t")]
    assert [item.request.key for item in plan(AttentionState(), requests, z(2026, 6, 1, 9))] == ["t", "r"]


def test_plan_of_nothing_is_empty() -> None:
    assert plan(AttentionState(), [], z(2026, 6, 1, 9)) == []
