"""Applies the attention policy to real people: builds their state from the store, queues a message
at the slot the policy picks, and re-plans pending messages when a person snoozes, stops or starts.

This is the one way a message to a person is queued: `Attention.deliver` (one person) and
`Attention.deliver_many` (a fan-out chunk, in a few statements) decide the slot, and `notify` queues it
on the person's reachable identity, or as an unreachable row that `outbox.adopt_unreachable` sends once
they can be reached. So one weekly cap and one minimum gap are shared by nudges, questions, reminders,
announcements and escalation notices, and reachability, critical slots and keys live here only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, or_, select

from bot.config import Settings, parse_quiet_hours
from bot.content import Content
from bot.messages import Message, dump_message
from bot.outbox import service as outbox
from bot.outbox.models import OutboxKind, OutboxMessage, OutboxState
from bot.people import service as people
from bot.people.models import Identity, Person
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

# Messages a person asked for themselves (`preview`): sent at once, and not attention the coach takes
# from them, so they leave the budget of their own programme alone.
ASKED_FOR = (OutboxKind.preview,)
UNREACHABLE = "this person has no reachable identity on any platform yet"
HELD = timedelta(days=3650)  # a stopped person's programme messages wait here until they start again
_ANYONE = AttentionState()  # what a critical decision reads of a person: nothing


@dataclass(frozen=True)
class Attention:
    """The policy for one unit of work: the session, settings, holidays and moment are given once."""

    session: Session
    settings: Settings
    holidays: frozenset[date]
    now: datetime

    def state(self, person: Person) -> AttentionState:
        return state_for(
            session=self.session, person=person, settings=self.settings, now=self.now, holidays=self.holidays
        )

    def decision(
        self, person: Person, kind: Kind, *, critical: bool = False, earliest: datetime | None = None
    ) -> Decision:
        request = MessageRequest(kind=kind, critical=critical, earliest=earliest)
        if critical:  # critical ignores the person's state: not read, so a 10,000-person outage notice
            return decide(_ANYONE, request, self.now)  # costs no query per person
        return decide(self.state(person), request, self.now)

    def slot(
        self, person: Person, kind: Kind, *, critical: bool = False, earliest: datetime | None = None
    ) -> datetime | None:
        """When a message may go; None while the policy holds it (the person said stop)."""
        decision = self.decision(person, kind, critical=critical, earliest=earliest)
        if decision.action == Action.hold:
            return None
        return decision.at if decision.action == Action.defer and decision.at else self.now

    def deliver(
        self,
        person: Person,
        message: Message,
        *,
        key: str,
        kind: Kind,
        critical: bool = False,
        earliest: datetime | None = None,
        after_sent: str | None = None,
    ) -> OutboxMessage | None:
        """Queue a proactive message at the next slot the policy allows; None when the person stopped."""
        at = self.slot(person, kind, critical=critical, earliest=earliest)
        if at is None:
            return None
        return notify(
            session=self.session,
            person=person,
            message=message,
            key=key,
            now=self.now,
            kind=OutboxKind(kind),
            priority=PRIORITY[kind],
            not_before=at,
            after_sent=after_sent,
            critical=critical,
        )

    def deliver_many(
        self,
        persons: Sequence[Person],
        *,
        kind: Kind,
        key_for: Callable[[Person], str],
        message_for: Callable[[Person], Message],
        critical: bool = False,
        earliest_for: Callable[[Person], datetime | None] | None = None,
        after_sent_if_unreachable: str | None = None,
    ) -> dict[int, datetime | None]:
        """`deliver` for many people in a few statements: identities, existing keys and rows are read and
        written in bulk. Returns each person's slot (None: held); a key queued before is left alone.
        `after_sent_if_unreachable` is the after-sent hook of the rows of people who cannot be reached yet:
        theirs go whenever they first write, which the queuing domain may want to hear about."""
        ids = [p.id for p in persons if p.id is not None]
        keys = {p.id: key_for(p) for p in persons if p.id is not None}
        queued = set(
            self.session.exec(
                select(OutboxMessage.idempotency_key).where(
                    col(OutboxMessage.idempotency_key).in_(list(keys.values()))
                )
            ).all()
        )
        identities = people.reachable_identities(session=self.session, person_ids=ids)
        slots: dict[int, datetime | None] = {}
        rows: list[dict[str, Any]] = []
        for person in persons:
            if person.id is None:
                continue
            earliest = earliest_for(person) if earliest_for else None
            at = slots[person.id] = self.slot(person, kind, critical=critical, earliest=earliest)
            if at is None or keys[person.id] in queued:
                continue
            reach = _reach(identities.get(person.id))
            rows.append(
                {
                    **reach,
                    "after_sent": after_sent_if_unreachable if reach["platform"] == "none" else None,
                    "idempotency_key": keys[person.id],
                    "payload": dump_message(message_for(person)),
                    "person_id": person.id,
                    "kind": OutboxKind(kind),
                    "priority": PRIORITY[kind],
                    "critical": critical,
                    "attempts": 0,
                    "next_attempt_at": at,
                    "created_at": self.now,
                }
            )
        if rows:
            self.session.execute(insert(OutboxMessage), rows)
            self.session.info[outbox.QUEUED] = True
        return slots

    def replan(self, person: Person) -> int:
        return replan(
            session=self.session, person=person, settings=self.settings, now=self.now, holidays=self.holidays
        )


def of(*, session: Session, settings: Settings, content: Content, now: datetime) -> Attention:
    return Attention(session=session, settings=settings, holidays=frozenset(content.holidays), now=now)


def notify(
    *,
    session: Session,
    person: Person,
    message: Message,
    key: str,
    now: datetime,
    kind: OutboxKind = OutboxKind.notice,
    priority: int = 50,
    not_before: datetime | None = None,
    after_sent: str | None = None,
    critical: bool = False,
) -> OutboxMessage:
    """Queue a message to a person already decided on (or not the policy's to decide: a preview they
    asked for, a notice to an admin) on their reachable platform; never drop it silently: with no
    reachable identity the row is kept unreachable and goes out once they can be reached."""
    assert person.id is not None
    reach = _reach(people.reachable_identity(session=session, person_id=person.id))
    row = outbox.enqueue(
        session=session,
        key=key,
        platform=reach["platform"],
        address=reach["address"],
        message=message,
        now=now,
        not_before=not_before,
        person_id=person.id,
        kind=kind,
        priority=priority,
        after_sent=after_sent,
        critical=critical,
    )
    if row.state == OutboxState.pending and reach["state"] == OutboxState.unreachable:
        row.state, row.last_error = reach["state"], reach["last_error"]
    return row


def _reach(identity: Identity | None) -> dict[str, Any]:
    """Where a person's row goes: their identity's platform and address, or nowhere yet."""
    if identity is None:
        return {
            "platform": "none",
            "address": {},
            "state": OutboxState.unreachable,
            "last_error": UNREACHABLE,
        }
    address: Mapping[str, Any] = identity.address
    return {
        "platform": identity.platform,
        "address": dict(address),
        "state": OutboxState.pending,
        "last_error": None,
    }


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
    return replace(calendar_for(person=person, settings=settings, holidays=holidays), recent=sends)


def calendar_for(*, person: Person, settings: Settings, holidays: Collection[date]) -> AttentionState:
    """The person's calendar (zone, shift, quiet hours, holidays) and settings, without their recent
    messages: enough for working-time arithmetic, and no query."""
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
