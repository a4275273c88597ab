"""Properties checked over many moments of a week, in several zones and around DST switches.

Each scenario is a person and a week; every 67 minutes of that week every kind of message is decided,
with recent sends placed relative to the moment so the gap and the cap are always in play. The checks
re-derive the rules from the person's local wall time instead of reusing the policy's own helpers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.policy import (
    BUDGETED_KINDS,
    PROGRAMME_KINDS,
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
from bot.policy.model import CAP_WINDOW


@dataclass(frozen=True)
class Scenario:
    state: AttentionState
    week_start: datetime  # local midnight
    recent_ago: tuple[timedelta, ...] = ()


def hours(*values: float) -> tuple[timedelta, ...]:
    return tuple(timedelta(hours=value) for value in values)


def week(zone: str, year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZoneInfo(zone))


LA, BERLIN = "America/Los_Angeles", "Europe/Berlin"
SCENARIOS = {
    "la-spring-forward-monday-holiday": Scenario(
        AttentionState(timezone=LA, holidays=frozenset({date(2026, 3, 9)})),
        week(LA, 2026, 3, 5),
        hours(1, 26, 50, 77),
    ),
    "la-fall-back-quiet-nights-full-cap": Scenario(
        AttentionState(timezone=LA, work_start=time(7), work_end=time(22), quiet_hours=(time(20), time(8))),
        week(LA, 2026, 10, 29),
        hours(2, 24, 48, 72, 96),
    ),
    "berlin-spring-snoozed": Scenario(
        AttentionState(timezone=BERLIN, snoozed_until=week(BERLIN, 2026, 3, 28, 11)),
        week(BERLIN, 2026, 3, 26),
        hours(3),
    ),
    "berlin-autumn-sunday-to-thursday": Scenario(
        AttentionState(
            timezone=BERLIN, working_days=frozenset({6, 0, 1, 2, 3}), holidays=frozenset({date(2026, 10, 26)})
        ),
        week(BERLIN, 2026, 10, 22),
        hours(5, 30),
    ),
    "tokyo-lunch-quiet-small-cap": Scenario(
        AttentionState(
            timezone="Asia/Tokyo",
            work_start=time(9, 30),
            work_end=time(18),
            quiet_hours=(time(12), time(13)),
            weekly_cap=3,
            min_gap=timedelta(hours=2),
        ),
        week("Asia/Tokyo", 2026, 6, 1),
        hours(0.5, 49),
    ),
    "kolkata-no-gap": Scenario(
        AttentionState(timezone="Asia/Kolkata", min_gap=timedelta(0)),
        week("Asia/Kolkata", 2026, 6, 1),
    ),
}
STEP = timedelta(minutes=67)
MOMENTS = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name in SCENARIOS
    for index in range(int(timedelta(days=7) / STEP))
]


def situation(name: str, index: int) -> tuple[AttentionState, datetime]:
    scenario = SCENARIOS[name]
    now = (scenario.week_start + index * STEP).astimezone(UTC)
    recent = tuple(Send(now - ago, Kind.nudge) for ago in scenario.recent_ago)
    return replace(scenario.state, recent=recent), now


def in_quiet_hours(state: AttentionState, moment: time) -> bool:
    if state.quiet_hours is None:
        return False
    start, end = state.quiet_hours
    return start <= moment < end if start < end else moment >= start or moment < end


def assert_allowed(state: AttentionState, request: MessageRequest, at: datetime) -> None:
    wall = at.astimezone(state.zone)
    assert wall.weekday() in state.working_days, wall
    assert wall.date() not in state.holidays, wall
    assert state.work_start <= wall.time() < state.work_end, wall
    assert not in_quiet_hours(state, wall.time()), wall
    if request.kind in BUDGETED_KINDS:
        sends = state.budgeted_sends()
        if state.snoozed_until is not None:
            assert at >= state.snoozed_until
        assert all(abs(at - sent) >= state.min_gap for sent in sends), at
        assert sum(1 for sent in sends if at - CAP_WINDOW < sent <= at) < state.weekly_cap, at


def boundaries(state: AttentionState, request: MessageRequest, start: datetime) -> set[datetime]:
    """Every instant a rule can open at: the earliest slot must be one of them (or `start` itself)."""
    zone = state.zone
    found = {start}
    first = start.astimezone(zone).date() - timedelta(days=1)
    edges = [state.work_start, *((state.quiet_hours[1],) if state.quiet_hours else ())]
    for offset in range(40):
        for edge in edges:
            found.add(datetime.combine(first + timedelta(days=offset), edge, tzinfo=zone).astimezone(UTC))
    if request.kind in BUDGETED_KINDS:
        found |= {sent + state.min_gap for sent in state.budgeted_sends()}
        found |= {sent + CAP_WINDOW for sent in state.budgeted_sends()}
        if state.snoozed_until is not None:
            found.add(state.snoozed_until.astimezone(UTC))
    return found


@pytest.mark.parametrize(("name", "index"), MOMENTS)
def test_every_decision_keeps_the_rules(name: str, index: int) -> None:
    state, now = situation(name, index)
    for kind in Kind:
        for earliest in (None, now + timedelta(minutes=90)):
            request = MessageRequest(kind, earliest=earliest)
            decision = decide(state, request, now)
            if kind in PROGRAMME_KINDS and state.stopped:
                assert decision.action is Action.hold
                continue
            assert decision.at is not None and decision.at.tzinfo is UTC
            assert decision.at >= max(now, earliest or now)
            assert (decision.action is Action.send) == (decision.at == now)
            assert decision.action is not Action.hold
            assert_allowed(state, request, decision.at)
            assert decision.at in boundaries(state, request, max(now, earliest or now))
            if kind in BUDGETED_KINDS:
                assert decision.at == next_allowed_slot(state, max(now, earliest or now))


@pytest.mark.parametrize(("name", "index"), MOMENTS)
def test_critical_always_sends_now_and_stop_holds_only_the_programme(name: str, index: int) -> None:
    state, now = situation(name, index)
    stopped = replace(state, stopped=True)
    for kind in Kind:
        critical = decide(stopped, MessageRequest(kind, critical=True), now)
        assert critical == Decision(Action.send, Reason.critical, now)
        held = decide(stopped, MessageRequest(kind), now).action is Action.hold
        assert held == (kind in PROGRAMME_KINDS)


@pytest.mark.parametrize(("name", "index"), MOMENTS[::7])
def test_a_batch_keeps_the_rules_and_the_priority_order(name: str, index: int) -> None:
    state, now = situation(name, index)
    requests = [MessageRequest(kind, key=kind.value) for kind in reversed(Kind)]
    planned = plan(state, requests, now)
    assert sorted(item.request.key for item in planned) == sorted(request.key for request in requests)
    placed = state
    budgeted_times: list[datetime] = []
    for item in planned:
        at = item.decision.at
        assert at is not None and at >= now
        assert_allowed(placed, item.request, at)
        if item.request.kind in BUDGETED_KINDS:
            budgeted_times.append(at)
            placed = replace(placed, recent=(*placed.recent, Send(at, item.request.kind)))
    # Same earliest for all, so the more important never goes later than the less important.
    assert budgeted_times == sorted(budgeted_times)
