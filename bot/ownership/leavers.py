"""People who leave. A platform that says so with authority (Slack's `user_change` with `deleted: true`,
an admin's `owners left EMAIL`) is a confirmed departure: `depart` hands the person's roles and open
escalations to their backups at once and tells the admins what is now uncovered. A mere sign (removed
from a Teams team, Teams sends failing again and again) opens a review the admins decide instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from bot.attention import Attention
from bot.audit import service as audit
from bot.content import ROLES, Content
from bot.escalations.models import Escalation, Status
from bot.markdown import escape
from bot.messages import Actions, Button, Message, Text, text_message
from bot.outbox.models import OutboxMessage, OutboxState
from bot.ownership import service
from bot.ownership.models import DepartureReview
from bot.ownership.service import ROLE_LABELS
from bot.people import service as people
from bot.people.models import Identity, Person
from bot.policy.model import Kind

CONFIRM = "ownership.departed"
DISMISS = "ownership.still_here"
FAILED_SENDS = 3  # Teams answers of "not in the roster" / "not found" within the window: a sign
FAILED_WINDOW = timedelta(days=14)
TEAMS_GONE = ("BotNotInConversationRoster", "403", "404", "not installed", "user not found")


def _name(person: Person | None) -> str:
    if person is None:
        return "someone"
    return person.display_name or person.email or f"person {person.id}"


def by_identity(*, session: Session, platform: str, workspace: str, user_id: str) -> Person | None:
    identity = session.exec(
        select(Identity).where(
            Identity.platform == platform, Identity.workspace == workspace, Identity.user_id == user_id
        )
    ).first()
    return session.get(Person, identity.person_id) if identity is not None else None


def open_review(
    *, session: Session, person: Person, signal: str, detail: str, policy: Attention
) -> DepartureReview | None:
    """A review for the admins, unless one is open for this person already (signals repeat)."""
    assert person.id is not None
    if not person.active:
        return None
    found = session.exec(
        select(DepartureReview).where(DepartureReview.person_id == person.id, DepartureReview.state == "open")
    ).first()
    if found is not None:
        return None
    review = DepartureReview(person_id=person.id, signal=signal, detail=detail, opened_at=policy.now)
    session.add(review)
    session.flush()
    message = Message(
        summary=f"Has {_name(person)} left?",
        blocks=(
            Text(
                f"**Has {escape(_name(person))} left?** {escape(detail)} That is a sign, not proof: confirm "
                "and their roles and open flags go to their backups now; or say they are still here."
            ),
            Actions(
                (
                    Button(CONFIRM, "They left", value=str(review.id), style="danger"),
                    Button(DISMISS, "Still here", value=str(review.id)),
                )
            ),
        ),
    )
    for admin in people.admins(session=session):
        policy.deliver(
            admin, message, key=f"ownership:departure:{review.id}:{admin.id}", kind=Kind.escalation_notice
        )
    return review


def depart(
    *,
    session: Session,
    content: Content,
    person: Person,
    reason: str,
    actor_id: int | None,
    policy: Attention,
) -> list[str]:
    """They left: roles to the backups, open escalations to the new holders, admins told what is now
    uncovered. Returns the uncovered roles, in words."""
    assert person.id is not None
    now = policy.now
    person.active = False
    uncovered: list[str] = []
    for system in content.systems.values():
        for role in ROLES:
            row = service.assignment(session=session, system=system.key, role=role)
            if row is None:
                continue
            label = f"{ROLE_LABELS[role]} of {system.name}"
            if row.person_id == person.id:
                backups = [
                    b
                    for b in service.backups(
                        session=session, content=content, system=system.key, role=role, now=now
                    )
                    if b.active and b.id != person.id
                ]
                successor = backups[0] if backups else None
                service.set_role(
                    session=session, system=system.key, role=role, person=successor,
                    backup="" if successor is not None and row.backup == successor.email else None,
                    actor_id=actor_id or person.id, now=now,
                )  # fmt: skip
                if successor is None:
                    uncovered.append(f"the {label} (no backup to take over)")
                else:
                    uncovered.append(f"the {label} went to {_name(successor)}, who now has no backup")
            elif row.backup and row.backup == person.email:
                holder = session.get(Person, row.person_id) if row.person_id else None
                service.set_role(
                    session=session, system=system.key, role=role, person=holder, backup="",
                    actor_id=actor_id or person.id, now=now,
                )  # fmt: skip
                uncovered.append(f"the {label} has no backup now")
    moved = _hand_over_escalations(session=session, person=person, policy=policy)
    audit.record(
        session=session,
        at=now,
        actor_person_id=actor_id,
        action="ownership.departed",
        subject=f"person:{person.id}",
        detail={"reason": reason, "uncovered": uncovered, "escalations": moved},
    )
    lines = "\n".join(f"- {escape(u)}" for u in uncovered) or "- nothing: they held no role"
    note = text_message(
        f"**{escape(_name(person))} has left** ({escape(reason)}). Their roles went to their backups and "
        f"{len(moved)} open flag(s) to the new holders. Now uncovered:\n{lines}\n"
        "Fill the gaps with `owners set`."
    )
    for admin in people.admins(session=session):
        if admin.id != person.id:
            policy.deliver(
                admin, note, key=f"ownership:departed:{person.id}:{admin.id}", kind=Kind.escalation_notice
            )
    return uncovered


def _hand_over_escalations(*, session: Session, person: Person, policy: Attention) -> list[int]:
    rows: Sequence[Escalation] = session.exec(
        select(Escalation).where(Escalation.owner_id == person.id, Escalation.status != Status.resolved)
    ).all()
    moved = []
    for row in rows:
        holder = service.holder(session=session, system=row.system_key, role="escalation_owner")
        if holder is None or holder.id == person.id:
            continue
        row.owner_id = holder.id
        audit.record(
            session=session,
            at=policy.now,
            actor_person_id=None,
            action="escalation.reassigned",
            subject=f"escalation:{row.id}",
            detail={"from": person.id, "to": holder.id, "why": "the owner left"},
        )
        policy.deliver(
            holder,
            text_message(
                f"**{row.reference}** is yours now: {escape(_name(person))}, who owned it, has left. "
                f"Type `escalation {row.id}` to see it."
            ),
            key=f"escalation:{row.id}:departed:{holder.id}",
            kind=Kind.escalation_notice,
        )
        if row.id is not None:
            moved.append(row.id)
    return moved


def failing_sends(*, session: Session, person_ids: Sequence[int], now: datetime) -> dict[int, int]:
    """Teams sends to these people that came back "not in the roster" / "not found" lately."""
    if not person_ids:
        return {}
    rows = session.exec(
        select(OutboxMessage.person_id, OutboxMessage.last_error, func.count())
        .where(
            col(OutboxMessage.person_id).in_(list(person_ids)),
            OutboxMessage.platform == "teams",
            OutboxMessage.state == OutboxState.unreachable,
            col(OutboxMessage.created_at) >= now - FAILED_WINDOW,
        )
        .group_by(col(OutboxMessage.person_id), col(OutboxMessage.last_error))
    ).all()
    counts: dict[int, int] = {}
    for person_id, error, n in rows:
        if person_id is not None and any(sign in (error or "") for sign in TEAMS_GONE):
            counts[person_id] = counts.get(person_id, 0) + int(n)
    return counts
