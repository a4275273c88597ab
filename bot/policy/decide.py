"""Send, defer or hold: the decision for one message, the next allowed slot, and a batch plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.policy.calendar import is_open, local_day, next_open, shift_day
from bot.policy.model import (
    BUDGETED_KINDS,
    CAP_WINDOW,
    PROGRAMME_KINDS,
    Action,
    AttentionState,
    Decision,
    MessageRequest,
    Planned,
    Reason,
    Send,
    utc,
)


def _after_gap(sends: list[datetime], moment: datetime, gap: timedelta) -> datetime:
    # The gap holds on both sides: a planned send later on also pushes a new one away.
    for sent in sends:
        if sent - gap < moment < sent + gap:
            moment = sent + gap
    return moment


def _after_cap(sends: list[datetime], moment: datetime, cap: int) -> datetime:
    # Planned future sends count too, so the cap holds in every 7-day window, not just the trailing one.
    counted = [sent for sent in sends if sent > moment - CAP_WINDOW]
    if len(counted) < cap:
        return moment
    return counted[len(counted) - cap] + CAP_WINDOW


def _slot(state: AttentionState, after: datetime, *, budgeted: bool) -> datetime:
    moment = utc(after)
    sends = state.budgeted_sends() if budgeted else []
    if budgeted and state.snoozed_until is not None:
        moment = max(moment, utc(state.snoozed_until))
    # Each round only moves forward and each gap or cap bump passes a distinct send, so this settles.
    for _ in range(3 * len(sends) + 10):
        candidate = next_open(state, moment)
        if budgeted:
            candidate = _after_cap(sends, _after_gap(sends, candidate, state.min_gap), state.weekly_cap)
        if candidate == moment:
            return moment
        moment = candidate
    raise AssertionError("unreachable: the slot search did not settle")  # pragma: no cover


def next_allowed_slot(state: AttentionState, after: datetime) -> datetime:
    """The first instant at or after `after` when a non-critical proactive message may go: in working
    hours on a working, non-holiday day, outside quiet hours, after snooze, with the gap and cap kept."""
    return _slot(state, after, budgeted=True)


def _why_not(state: AttentionState, moment: datetime, *, budgeted: bool) -> Reason:
    """The first rule that keeps a message from going at `moment`, in the order people think of them."""
    if budgeted and state.snoozed_until is not None and moment < utc(state.snoozed_until):
        return Reason.snoozed
    # A shift belongs to the day it starts: at 03:00 on Saturday a Friday night shift is still on.
    day = shift_day(moment, state)
    judged = day if day is not None else local_day(moment, state.zone)
    if judged.weekday() not in state.working_days:
        return Reason.non_working_day
    if judged in state.holidays:
        return Reason.holiday
    if not is_open(state, moment):
        return Reason.quiet_hours if day is not None and state.quiet_hours else Reason.outside_working_hours
    sends = state.budgeted_sends() if budgeted else []
    if _after_gap(sends, moment, state.min_gap) != moment:
        return Reason.min_gap
    return Reason.weekly_cap


def _late(request: MessageRequest, at: datetime) -> bool:
    return request.latest is not None and at > utc(request.latest)


def decide(state: AttentionState, request: MessageRequest, now: datetime) -> Decision:
    """Send now, defer to the next allowed slot (an exact aware-UTC time), or hold while stopped."""
    now = utc(now)
    start = max(now, utc(request.earliest)) if request.earliest is not None else now
    if request.critical:
        if start == now:
            return Decision(Action.send, Reason.critical, now, _late(request, now))
        return Decision(Action.defer, Reason.before_earliest, start, _late(request, start))
    if state.stopped and request.kind in PROGRAMME_KINDS:
        return Decision(Action.hold, Reason.stopped)
    budgeted = request.kind in BUDGETED_KINDS
    slot = _slot(state, start, budgeted=budgeted)
    if slot == now:
        return Decision(Action.send, Reason.allowed, now, _late(request, now))
    reason = Reason.before_earliest if start > now else _why_not(state, now, budgeted=budgeted)
    return Decision(Action.defer, reason, slot, _late(request, slot))


def plan(state: AttentionState, requests: Sequence[MessageRequest], now: datetime) -> list[Planned]:
    """Decide a batch in priority order, critical first: the most important takes the first slot, each
    next one is kept the minimum gap away from those before it (and within the cap). Nothing is dropped;
    the result lists the requests in the order they were placed."""
    now = utc(now)
    ordered = sorted(
        enumerate(requests),
        key=lambda item: (
            not item[1].critical,
            item[1].rank,
            utc(item[1].earliest) if item[1].earliest else now,
            item[0],
        ),
    )
    planned: list[Planned] = []
    for _, request in ordered:
        decision = decide(state, request, now)
        planned.append(Planned(request, decision))
        if decision.at is not None and request.kind in BUDGETED_KINDS:
            state = replace(state, recent=(*state.recent, Send(decision.at, request.kind)))
    return planned
