"""Applies the attention policy to real people: builds their state from the store, queues a message
at the slot the policy picks, and re-plans pending messages when a person snoozes, stops or starts.

Every proactive message to a person goes through `deliver`, so one weekly cap and one minimum gap
are shared by nudges, questions, reminders, announcements and escalation notices.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, or_, select

from bot.config import Settings, parse_quiet_hours
from bot.messages import Message
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people.models import Person
from bot.policy.decide import decide
from bot.policy.model import (
    CAP_WINDOW,
    PRIORITY,
    Action,
    AttentionState,
    Decision,
    Kind,
    MessageRequest,
    Send,
    open_windows,
    resolve_timezone,
)
from bot.turn import notify

# Messages a person asked for themselves (`preview`): sent at once, and not attention the coach takes
# from them, so they leave the budget of their own programme alone.
ASKED_FOR = ("preview",)


def state_for(
    *,
    session: Session,
    person: Person,
    settings: Settings,
    now: datetime,
    holidays: Collection[date],
) -> AttentionState:
    assert person.id is not None
    recent = session.exec(
        select(
            OutboxMessage.kind, OutboxMessage.sent_at, OutboxMessage.next_attempt_at, OutboxMessage.state
        ).where(
            OutboxMessage.person_id == person.id,
            col(OutboxMessage.state).in_([OutboxState.pending, OutboxState.sending, OutboxState.sent]),
            col(OutboxMessage.kind).not_in(ASKED_FOR),
            or_(col(OutboxMessage.sent_at) >= now - CAP_WINDOW, col(OutboxMessage.sent_at).is_(None)),
        )
    ).all()
    sends = tuple(
        Send(at=sent_at or due, kind=_kind(kind))
        for kind, sent_at, due, _state in recent
        if _kind(kind) is not None
    )
    work = shift_of(person)
    return AttentionState(
        timezone=resolve_timezone(person.effective_timezone, default=settings.default_timezone),
        work_start=work[0],
        work_end=work[1],
        quiet_hours=quiet_hours_for(work, settings),
        holidays=frozenset(holidays),
        weekly_cap=settings.weekly_cap,
        min_gap=timedelta(hours=settings.min_gap_hours),
        snoozed_until=person.snoozed_until,
        stopped=person.stopped,
        recent=sends,
    )


def shift_of(person: Person) -> tuple[time, time]:
    """The person's working hours as the policy's shift: hour 24 is midnight, an end before the start
    is on the next day."""
    return time(person.workday_start % 24), time(person.workday_end % 24)


def quiet_hours_for(work: tuple[time, time], settings: Settings) -> tuple[time, time] | None:
    """The deployment's quiet hours, unless they cover the person's whole shift: then the person could
    never be written to, and the hours they said they work win."""
    quiet = parse_quiet_hours(settings.quiet_hours)
    if quiet is not None and not open_windows(work, quiet):
        return None
    return quiet


def _kind(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        return Kind.reminder  # unknown proactive kinds count against the budget like a reminder


def decision_for(
    *,
    session: Session,
    person: Person,
    kind: Kind,
    settings: Settings,
    now: datetime,
    critical: bool = False,
    earliest: datetime | None = None,
    holidays: Collection[date],
) -> Decision:
    state = state_for(session=session, person=person, settings=settings, now=now, holidays=holidays)
    return decide(state, MessageRequest(kind=kind, critical=critical, earliest=earliest), now)


def deliver(
    *,
    session: Session,
    person: Person,
    message: Message,
    key: str,
    kind: Kind,
    settings: Settings,
    now: datetime,
    critical: bool = False,
    earliest: datetime | None = None,
    holidays: Collection[date],
    after_sent: str | None = None,
) -> OutboxMessage | None:
    """Queue a proactive message at the next slot the policy allows; None when the person stopped."""
    decision = decision_for(
        session=session,
        person=person,
        kind=kind,
        settings=settings,
        now=now,
        critical=critical,
        earliest=earliest,
        holidays=holidays,
    )
    if decision.action == Action.hold:
        return None
    not_before = decision.at if decision.action == Action.defer else now
    return notify(
        session=session,
        person=person,
        message=message,
        key=key,
        now=now,
        kind=str(kind),
        priority=PRIORITY[kind],
        not_before=not_before,
        after_sent=after_sent,
        critical=critical,
    )


def replan(
    *,
    session: Session,
    person: Person,
    settings: Settings,
    now: datetime,
    holidays: Collection[date],
) -> int:
    """Move a person's pending, non-critical messages to slots the policy allows after a snooze,
    stop or start (held ones wait far ahead until `start` replans them). Returns how many moved."""
    assert person.id is not None
    rows = list(
        session.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.person_id == person.id,
                OutboxMessage.state == OutboxState.pending,
                col(OutboxMessage.critical).is_(False),
            )
            .order_by(col(OutboxMessage.priority), col(OutboxMessage.next_attempt_at))
        ).all()
    )
    for row in rows:  # each is decided without itself, then counts as planned for the next
        row.next_attempt_at = now + HELD
    session.flush()
    for row in rows:
        state = state_for(session=session, person=person, settings=settings, now=now, holidays=holidays)
        state = replace(state, recent=tuple(s for s in state.recent if s.at < now + HELD))
        decision = decide(state, MessageRequest(kind=_kind(row.kind)), now)
        if decision.action == Action.hold:
            continue
        row.next_attempt_at = decision.at if decision.action == Action.defer and decision.at else now
        session.flush()
    return len(rows)


HELD = timedelta(days=3650)  # a stopped person's programme messages wait here until they start again
