"""What the clock does for an open escalation: remind the owner before the acknowledge deadline;
on the first breach (acknowledge or answer deadline missed) call in the backups and tell the person
who flagged it; on the second, tell the admins. Each job re-reads the row, so a flag acknowledged or
answered in time simply finds nothing to do.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.content import Content
from bot.escalations import messages, notices, service
from bot.escalations.models import Escalation
from bot.escalations.sla import local_words, owner_state
from bot.markdown import escape
from bot.metrics import SLA_BREACHES
from bot.ownership import service as ownership
from bot.people import service as people
from bot.people.models import Person
from bot.policy.calendar import add_working_hours
from bot.policy.model import Kind
from bot.schedule import service as schedule
from bot.schedule.models import DueWork

REMIND = "escalation.remind"
ACK_DUE = "escalation.acknowledge_due"
ANSWER_DUE = "escalation.answer_due"


def plan(*, session: Session, row: Escalation, remind_at: datetime, now: datetime) -> None:
    assert row.id is not None
    for kind, name, due in (
        (REMIND, "remind", remind_at),
        (ACK_DUE, "acknowledge", row.acknowledge_due_at),
        (ANSWER_DUE, "answer", row.answer_due_at),
    ):
        schedule.upsert(
            session=session,
            kind=kind,
            subject=f"escalation:{row.id}:{name}",
            due_at=due,
            now=now,
            payload={"escalation": row.id},
        )


def _row(session: Session, job: DueWork) -> Escalation | None:
    row = service.get(session=session, escalation_id=int(job.payload.get("escalation", 0)))
    return None if row is None or row.is_closed else row


def remind(*, session: Session, job: DueWork, now: datetime, content: Content, settings: Settings) -> None:
    row = _row(session, job)
    if row is None or row.acknowledged_at is not None or row.owner_id is None:
        return
    owner = people.get(session=session, person_id=row.owner_id)
    if owner is None:
        return
    system = content.systems[row.system_key].name
    due = local_words(row.acknowledge_due_at, owner, settings)
    notices.tell(
        session=session,
        person=owner,
        message=messages.notice(
            title=f"Reminder: {row.reference} is waiting for you",
            body=f"Someone flagged an output of {escape(system)}. Please acknowledge it by {escape(due)} "
            "(your time), or your backup will be asked to step in.",
            row=row,
            actions=True,
        ),
        key=f"escalation:{row.id}:reminder",
        kind=Kind.reminder,
        settings=settings,
        content=content,
        now=now,
    )
    service.record(session=session, row=row, action="reminded", actor_id=None, now=now)


def deadline(*, session: Session, job: DueWork, now: datetime, content: Content, settings: Settings) -> None:
    row = _row(session, job)
    if row is None:
        return
    missed = "acknowledge" if job.kind == ACK_DUE else "answer"
    if (missed == "acknowledge" and row.acknowledged_at is not None) or (
        missed == "answer" and row.answered_at is not None
    ):
        return
    row.breaches += 1
    SLA_BREACHES.labels(missed).inc()
    service.record(
        session=session,
        row=row,
        action="breached",
        actor_id=None,
        now=now,
        detail={"missed": missed, "level": row.breaches},
    )
    if row.breaches == 1:
        _to_backups(session=session, row=row, missed=missed, now=now, content=content, settings=settings)
    else:
        _to_admins(session=session, row=row, missed=missed, now=now, content=content, settings=settings)


def _to_backups(
    *, session: Session, row: Escalation, missed: str, now: datetime, content: Content, settings: Settings
) -> None:
    system = content.systems[row.system_key].name
    owner = people.get(session=session, person_id=row.owner_id) if row.owner_id else None
    backups = [
        b
        for b in ownership.backups(
            session=session, content=content, system=row.system_key, role=notices.ROLE, now=now
        )
        if b.id != row.owner_id and b.active
    ]
    recipients = backups or list(people.admins(session=session))
    _escalate(
        session=session,
        row=row,
        level="backup",
        recipients=recipients,
        title=f"{row.reference} needs you: its {missed} deadline passed",
        body=f"{escape(notices.name(owner))} hasn't managed to {missed} this flag about "
        f"{escape(system)}. As the backup, please pick it up: reply in its thread or use the buttons.",
        now=now,
        content=content,
        settings=settings,
    )
    flagger = people.get(session=session, person_id=row.flagger_id)
    if flagger is not None and recipients:
        new_due = _new_expected(
            session=session, row=row, helper=recipients[0], now=now, content=content, settings=settings
        )
        body = content.render(
            "escalations/escalated.md.j2",
            escalation={
                "reference": row.reference,
                "backup": recipients[0].first_name,
                "due_at": local_words(new_due, flagger, settings),
            },
            system={"name": system},
        )
        notices.tell(
            session=session,
            person=flagger,
            message=messages.notice(title=f"Your flag {row.reference} was escalated", body=body, row=row),
            key=f"escalation:{row.id}:escalated",
            kind=Kind.escalation_notice,
            settings=settings,
            content=content,
            now=now,
        )


def _new_expected(
    *, session: Session, row: Escalation, helper: Person, now: datetime, content: Content, settings: Settings
) -> datetime:
    """The later of the frozen answer deadline and a fresh acknowledge window in the helper's hours."""
    state = owner_state(session=session, person=helper, settings=settings, content=content, now=now)
    return max(row.answer_due_at, add_working_hours(now, row.acknowledge_hours, state))


def _to_admins(
    *, session: Session, row: Escalation, missed: str, now: datetime, content: Content, settings: Settings
) -> None:
    system = content.systems[row.system_key].name
    _escalate(
        session=session,
        row=row,
        level="admins",
        recipients=list(people.admins(session=session)),
        title=f"{row.reference} missed its {missed} deadline twice",
        body=f"Neither the owner nor the backup of {escape(system)} has handled this flag in time. "
        "Please find someone to answer it.",
        now=now,
        content=content,
        settings=settings,
    )


def _escalate(
    *,
    session: Session,
    row: Escalation,
    level: str,
    recipients: list[Person],
    title: str,
    body: str,
    now: datetime,
    content: Content,
    settings: Settings,
) -> None:
    """Tell each recipient, with the card's buttons, and record who the flag went to."""
    for person in recipients:
        notices.tell(
            session=session,
            person=person,
            message=messages.notice(title=title, body=body, row=row, actions=True),
            key=f"escalation:{row.id}:{level}:{person.id}",
            kind=Kind.escalation_notice,
            settings=settings,
            content=content,
            now=now,
        )
    service.record(
        session=session,
        row=row,
        action=f"escalated_to_{level}",
        actor_id=None,
        now=now,
        detail={"to": [p.id for p in recipients]},
    )
