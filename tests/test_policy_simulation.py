"""A month of a programme for a person in Tokyo and one in Los Angeles, driven by a controllable clock.

The loop plays the scheduler: it jumps the clock to the next due message, plans everything due together,
records what is sent now and re-queues what is deferred to its slot. The person snoozes until tomorrow
on day 3, says stop on day 8 and start on day 11. Afterwards every send is checked against the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from bot.policy import (
    BUDGETED_KINDS,
    PROGRAMME_KINDS,
    Action,
    AttentionState,
    Kind,
    MessageRequest,
    Send,
    add_working_days,
    plan,
    snooze_until,
)
from bot.policy.model import CAP_WINDOW
from bot.ports import FixedClock

ENROLLED = datetime(2026, 10, 26, 12, tzinfo=UTC)  # spans the US switch back to standard time
SNOOZED_AT = ENROLLED + timedelta(days=3)
STOPPED_AT = ENROLLED + timedelta(days=8)
STARTED_AT = ENROLLED + timedelta(days=11)
HORIZON = ENROLLED + timedelta(days=42)


@dataclass
class Run:
    state: AttentionState
    clock: FixedClock = field(default_factory=lambda: FixedClock(ENROLLED))
    pending: list[tuple[datetime, MessageRequest]] = field(default_factory=list)
    held: list[MessageRequest] = field(default_factory=list)
    sent: list[tuple[datetime, MessageRequest]] = field(default_factory=list)
    snoozed_window: tuple[datetime, datetime] | None = None


def programme(state: AttentionState) -> list[tuple[datetime, MessageRequest]]:
    steps: list[tuple[datetime, MessageRequest]] = []
    for day in (0, 1, 2, 4, 6, 9, 12, 15):
        due = add_working_days(ENROLLED, day, state)
        steps.append((due, MessageRequest(Kind.nudge, key=f"nudge-{day}")))
    for week in range(3):
        due = ENROLLED + timedelta(weeks=week, days=4)
        steps.append((due, MessageRequest(Kind.question, key=f"question-{week}")))
    steps.append((ENROLLED + timedelta(days=2), MessageRequest(Kind.tip, key="tip")))
    steps.append((ENROLLED + timedelta(days=5), MessageRequest(Kind.reminder, key="reminder")))
    announcement_at = datetime(2026, 11, 2, 16, tzinfo=UTC)  # one instant for everyone
    steps.append((announcement_at, MessageRequest(Kind.announcement, key="announcement")))
    steps.append((ENROLLED + timedelta(days=9, hours=7), MessageRequest(Kind.answer, key="answer")))
    outage = MessageRequest(Kind.announcement, critical=True, key="outage")
    steps.append((ENROLLED + timedelta(days=13, hours=5), outage))
    return steps


def person_acts(run: Run, until: datetime) -> None:
    """Apply the person's own clicks that happen before `until`, in order."""
    now = run.clock.now()
    if now < SNOOZED_AT <= until and run.snoozed_window is None:
        end = snooze_until("tomorrow", SNOOZED_AT, run.state)
        run.state = replace(run.state, snoozed_until=end)
        run.snoozed_window = (SNOOZED_AT, end)
    if now < STOPPED_AT <= until:
        run.state = replace(run.state, stopped=True)
    if now < STARTED_AT <= until:
        run.state = replace(run.state, stopped=False)
        run.pending.extend((STARTED_AT, request) for request in run.held)
        run.held.clear()


def simulate(state: AttentionState) -> Run:
    run = Run(state=state, pending=programme(state))
    while run.pending:
        due = min(at for at, _ in run.pending)
        person_acts(run, due)
        run.clock.at = max(run.clock.now(), due)
        now = run.clock.now()
        assert now < HORIZON, f"still pending at the horizon: {run.pending}"
        batch = [request for at, request in run.pending if at <= now]
        run.pending = [(at, request) for at, request in run.pending if at > now]
        for item in plan(run.state, batch, now):
            decision = item.decision
            if decision.action is Action.send:
                run.sent.append((now, item.request))
                recent = (*run.state.recent, Send(now, item.request.kind))
                run.state = replace(run.state, recent=recent)
            elif decision.action is Action.hold:
                run.held.append(item.request)
            else:
                assert decision.at is not None
                run.pending.append((decision.at, item.request))
    return run


PEOPLE = {
    "tokyo": AttentionState(timezone="Asia/Tokyo"),
    "los-angeles": AttentionState(timezone="America/Los_Angeles"),
}


@pytest.mark.parametrize("person", PEOPLE)
def test_a_month_of_programme_keeps_every_rule(person: str) -> None:
    state = PEOPLE[person]
    run = simulate(state)
    keys = sorted(request.key for _, request in run.sent)
    assert keys == sorted(request.key for _, request in programme(state)), "nothing is dropped"

    zone = state.zone
    budgeted = [at for at, request in run.sent if request.kind in BUDGETED_KINDS]
    for at, request in run.sent:
        if request.critical:
            assert at == ENROLLED + timedelta(days=13, hours=5)
            continue
        wall = at.astimezone(zone)
        assert wall.weekday() < 5 and 9 <= wall.hour < 17, (request.key, wall)
        if request.kind in PROGRAMME_KINDS:
            assert not STOPPED_AT <= at < STARTED_AT, (request.key, at)
        if request.kind in BUDGETED_KINDS:
            assert run.snoozed_window is not None
            start, end = run.snoozed_window
            assert not start <= at < end, (request.key, at)
    for at in budgeted:
        in_window = [other for other in budgeted if at - CAP_WINDOW < other <= at]
        assert len(in_window) <= state.weekly_cap, at
    pairs = pairwise(budgeted)
    critical_at = ENROLLED + timedelta(days=13, hours=5)
    assert all(b - a >= state.min_gap for a, b in pairs if critical_at not in (a, b))


def test_the_same_announcement_lands_in_each_persons_own_morning() -> None:
    sent_at = {
        person: next(at for at, request in simulate(state).sent if request.key == "announcement")
        for person, state in PEOPLE.items()
    }
    assert sent_at["tokyo"] != sent_at["los-angeles"]
    for person, at in sent_at.items():
        wall = at.astimezone(PEOPLE[person].zone)
        assert 9 <= wall.hour < 17
