"""Ownership that stays true: every `confirm_roles_days` (per system, default 90) each person who holds
a role of a system, or backs one up, gets one card covering all their roles there: Confirm, Hand over
or Not me. Unanswered, it is sent again after a week, twice; then it lapses, readiness shows the gap
and the admins are told. A hand-over names a successor, who must accept before the registry changes
(both are audited). The daily sweep (`jobs`) is O(role holders), and asks nobody twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.audit import service as audit
from bot.content import ROLES, Content, System
from bot.markdown import escape
from bot.messages import OPEN_FORM, Actions, Button, Context, Message, Text
from bot.ownership import service
from bot.ownership.models import RoleAssignment, RoleConfirmation
from bot.ownership.service import ROLE_LABELS
from bot.people import service as people
from bot.people.models import Person

CONFIRM = "ownership.confirm"
NOT_ME = "ownership.not_me"
HANDOVER_FORM = "ownership.handover"
ACCEPT = "ownership.accept"
DECLINE = "ownership.decline"
REMIND_EVERY = timedelta(days=7)
REMINDERS = 2
BACKUP = "backup:"


def role_words(roles: Sequence[str]) -> str:
    """'the drift monitor and backup escalation owner'."""
    words = [
        f"backup {ROLE_LABELS.get(r.removeprefix(BACKUP), r)}"
        if r.startswith(BACKUP)
        else f"the {ROLE_LABELS.get(r, r)}"
        for r in roles
    ]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def holdings(*, session: Session, content: Content, system: System, now: datetime) -> dict[int, list[str]]:
    """Each active person's roles of the system: held ("drift_monitor") or backed up ("backup:...")."""
    rows = {a.role: a for a in service.assignments(session=session, system=system.key)}
    held: dict[int, list[str]] = {}
    for role in ROLES:
        row = rows.get(role)
        if row is None:
            continue
        if row.person_id is not None:
            held.setdefault(row.person_id, []).append(role)
        for email in content.members(row.backup):
            backup = people.ensure_by_email(session=session, email=email, now=now)
            if backup.id is not None and backup.id != row.person_id:
                held.setdefault(backup.id, []).append(f"{BACKUP}{role}")
    active = {
        p.id for p in session.exec(select(Person).where(col(Person.id).in_(list(held)))).all() if p.active
    }
    return {pid: roles for pid, roles in held.items() if pid in active}


def latest(*, session: Session, system: str, person_id: int) -> RoleConfirmation | None:
    return session.exec(
        select(RoleConfirmation)
        .where(RoleConfirmation.system_key == system, RoleConfirmation.person_id == person_id)
        .order_by(col(RoleConfirmation.id).desc())
    ).first()


def latest_answered(*, session: Session, system: str, person_id: int) -> RoleConfirmation | None:
    """Their last answered card: a card asked since does not clear a lapse until it is answered."""
    return session.exec(
        select(RoleConfirmation)
        .where(
            RoleConfirmation.system_key == system,
            RoleConfirmation.person_id == person_id,
            col(RoleConfirmation.answer).is_not(None),
        )
        .order_by(col(RoleConfirmation.id).desc())
    ).first()


def _assigned_at(rows: Sequence[RoleAssignment], roles: Sequence[str]) -> datetime | None:
    mine = {r.removeprefix(BACKUP) for r in roles}
    return max((r.updated_at for r in rows if r.role in mine), default=None)


def due(
    *, session: Session, content: Content, now: datetime
) -> list[tuple[System, int, list[str], RoleConfirmation | None]]:
    """(system, person, roles, their latest card) for everyone whose confirmation is due or waiting."""
    found: list[tuple[System, int, list[str], RoleConfirmation | None]] = []
    for system in content.systems.values():
        rows = service.assignments(session=session, system=system.key)
        drill = service.running_drill(session=session, system=system.key)
        away = set(drill.primaries.values()) - set(drill.standins.values()) if drill is not None else set()
        for person_id, roles in holdings(session=session, content=content, system=system, now=now).items():
            last = latest(session=session, system=system.key, person_id=person_id)
            if last is not None and (
                last.answer is None or (last.answer == "handover" and last.successor_answer is None)
            ):
                found.append((system, person_id, roles, last))  # waiting: maybe a reminder
                continue
            if person_id in away:  # a primary during a drill is left alone until it ends
                continue
            # Asked again N days after the last answer, whatever it was (a lapse or "not me" stays a
            # readiness gap meanwhile), or after the roles last changed.
            answered = last.answered_at if last is not None else None
            since = max((t for t in (answered, _assigned_at(rows, roles)) if t is not None), default=now)
            if now - since >= timedelta(days=system.confirm_roles_days):
                found.append((system, person_id, roles, None))
    return found


def ask(
    *, session: Session, system: System, person_id: int, roles: list[str], now: datetime
) -> RoleConfirmation:
    row = RoleConfirmation(system_key=system.key, person_id=person_id, roles=roles, asked_at=now)
    session.add(row)
    session.flush()
    return row


def card(row: RoleConfirmation, system_name: str, *, reminder: bool = False) -> Message:
    assert row.id is not None
    ask = f"You are {escape(role_words(row.roles))} of **{escape(system_name)}**. Still right?"
    if reminder:
        ask = "**Reminder.** " + ask
    return Message(
        summary=f"Still right? Your roles of {system_name}",
        blocks=(
            Text(ask),
            Actions(
                (
                    Button(CONFIRM, "Confirm", value=str(row.id), style="primary"),
                    Button(OPEN_FORM, "Hand over", value=f"{HANDOVER_FORM}|{row.id}"),
                    Button(NOT_ME, "Not me", value=str(row.id)),
                )
            ),
            Context(
                "People rely on this list to know whom to ask. Hand over names who takes over (they accept "
                "first); Not me tells the admins."
            ),
        ),
    )


def answer(
    *, session: Session, row: RoleConfirmation, answer: str, person_id: int | None, now: datetime
) -> None:
    row.answer = answer
    row.answered_at = now
    audit.record(
        session=session,
        at=now,
        actor_person_id=person_id,
        action=f"ownership.{answer}",
        subject=f"system:{row.system_key}",
        detail={"confirmation": row.id, "roles": row.roles},
    )


def offer(
    *, session: Session, row: RoleConfirmation, successor: Person, person_id: int, now: datetime
) -> None:
    row.successor_id = successor.id
    row.successor_answer = None
    answer(session=session, row=row, answer="handover", person_id=person_id, now=now)


def accept(
    *, session: Session, content: Content, row: RoleConfirmation, successor: Person, now: datetime
) -> list[str]:
    """The successor accepted: the registry changes. Returns the roles an admin must still change
    (a backup given by a group lives in systems.yaml)."""
    assert successor.id is not None
    row.successor_answer = "accepted"
    row.successor_answered_at = now
    leaving = session.get(Person, row.person_id)
    left: list[str] = []
    for role in row.roles:
        name = role.removeprefix(BACKUP)
        found = service.assignment(session=session, system=row.system_key, role=name)
        if not role.startswith(BACKUP):
            service.set_role(
                session=session,
                system=row.system_key,
                role=name,
                person=successor,
                backup=None,
                actor_id=successor.id,
                now=now,
            )
        elif found is not None and leaving is not None and found.backup == leaving.email and successor.email:
            holder = session.get(Person, found.person_id) if found.person_id else None
            service.set_role(
                session=session,
                system=row.system_key,
                role=name,
                person=holder,
                backup=successor.email,
                actor_id=successor.id,
                now=now,
            )
        else:
            left.append(role)
    audit.record(
        session=session,
        at=now,
        actor_person_id=successor.id,
        action="ownership.handover_accepted",
        subject=f"system:{row.system_key}",
        detail={"confirmation": row.id, "from": row.person_id, "roles": row.roles, "left_to_admins": left},
    )
    return left


def decline(*, session: Session, row: RoleConfirmation, successor: Person, now: datetime) -> None:
    row.successor_answer = "declined"
    row.successor_answered_at = now
    row.answer = None  # the card stands again: its holder names someone else, or confirms
    audit.record(
        session=session,
        at=now,
        actor_person_id=successor.id,
        action="ownership.handover_declined",
        subject=f"system:{row.system_key}",
        detail={"confirmation": row.id, "from": row.person_id},
    )


def unconfirmed(*, session: Session, content: Content, system: System, now: datetime) -> list[str]:
    """Role holders whose last card lapsed or who said it is not them: readiness gaps, by name."""
    names = []
    for person_id in holdings(session=session, content=content, system=system, now=now):
        last = latest_answered(session=session, system=system.key, person_id=person_id)
        if last is not None and last.answer in ("lapsed", "not_me"):
            person = session.get(Person, person_id)
            who = (person.display_name or person.email or f"person {person_id}") if person else "someone"
            names.append(f"{who} ({'no answer' if last.answer == 'lapsed' else 'says not them'})")
    return names


@dataclass(frozen=True)
class Holding:
    label: str
    person_id: int | None
    backup: str | None
    confirmed_at: datetime | None  # the holder's last answered confirmation


def roster(*, session: Session, system: str) -> list[Holding]:
    """Every role of a system with its holder, backup and the holder's last confirmation (what the
    handover pack and the evidence report show)."""
    found = []
    for role, label in ROLE_LABELS.items():
        row = service.assignment(session=session, system=system, role=role)
        person_id = None if row is None else row.person_id
        answered = (
            None
            if person_id is None
            else latest_answered(session=session, system=system, person_id=person_id)
        )
        confirmed = None if answered is None else answered.answered_at
        found.append(Holding(label, person_id, None if row is None else row.backup, confirmed))
    return found
