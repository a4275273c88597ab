"""SLA arithmetic: due times in the owner's working hours, and how to say them in plain words.

The numbers come from systems.yaml at flag time and are copied onto the escalation, so editing the
SLA later never moves a deadline already promised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import attention
from bot.config import Settings
from bot.content import Content, System
from bot.escalations.models import Escalation
from bot.people.models import Person
from bot.policy.calendar import add_working_hours
from bot.policy.model import AttentionState, resolve_timezone
from bot.wording import plural

REMIND_AT = 0.75  # of the acknowledge window: the owner is reminded with a quarter of it left


@dataclass(frozen=True)
class Frozen:
    acknowledge_hours: float
    answer_hours: float
    acknowledge_due_at: datetime
    answer_due_at: datetime
    remind_at: datetime


def owner_state(
    *, session: Session, person: Person, settings: Settings, content: Content, now: datetime
) -> AttentionState:
    return attention.of(session=session, settings=settings, content=content, now=now).state(person)


def freeze(*, system: System, state: AttentionState | None, now: datetime) -> Frozen:
    """Due times from `now`; with no owner yet (state None) the hours count as plain hours."""
    ack, answer = system.sla.acknowledge_hours, system.sla.answer_hours

    def add(hours: float) -> datetime:
        if state is None:
            return now + timedelta(hours=hours)
        return add_working_hours(now, hours, state)

    return Frozen(ack, answer, add(ack), add(answer), add(ack * REMIND_AT))


def workday_hours(person: Person | None) -> int:
    if person is None:
        return 8
    return person.shift_hours


def duration_words(hours: float, person: Person | None) -> str:
    """'4 working hours', '2 working days' (days of the owner's own working day length)."""
    per_day = workday_hours(person)
    if hours < per_day:
        return plural(hours, "working hour")
    return plural(hours / per_day, "working day")


def local_words(moment: datetime, person: Person, settings: Settings) -> str:
    """'Tue 24 Nov 14:00' in the person's own time zone."""
    zone = ZoneInfo(resolve_timezone(person.effective_timezone, default=settings.default_timezone))
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def met_sla(row: Escalation) -> bool | None:
    """True/False once the outcome is known; None while it is still within its deadlines."""
    acked, answered = row.acknowledged_at, row.answered_at or row.resolved_at
    if acked is not None and acked > row.acknowledge_due_at:
        return False
    if answered is not None:
        return answered <= row.answer_due_at
    return None


def past_due(row: Escalation, now: datetime) -> bool:
    if row.is_closed:
        return False
    if row.acknowledged_at is None and now > row.acknowledge_due_at:
        return True
    return row.answered_at is None and now > row.answer_due_at


def outcome(row: Escalation, now: datetime) -> bool | None:
    """Whether the SLA was kept, as far as is known now: a missed deadline counts before it is closed."""
    met = met_sla(row)
    if met is not None:
        return met
    return False if past_due(row, now) else None
