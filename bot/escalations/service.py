"""Persistence for escalations: create, find, change state, and the timeline (the audit trail)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_
from sqlmodel import Session, col, select

from bot.audit import service as audit
from bot.audit.models import AuditEntry
from bot.escalations.models import Escalation, FaqEntry, Status
from bot.escalations.sla import Frozen

REASONS = {
    "wrong": "it looks wrong",
    "unclear": "it is unclear",
    "outdated": "it looks outdated",
    "harmful": "it could cause harm",
    "other": "something else",
}
RESOLUTIONS = {
    "explained": "explained",
    "model_issue": "a model issue",
    "data_issue": "a data issue",
    "not_an_issue": "not an issue",
}


def subject(escalation_id: int) -> str:
    return f"escalation:{escalation_id}"


def create(
    *,
    session: Session,
    system_key: str,
    flagger_id: int,
    owner_id: int | None,
    anonymous: bool,
    reason: str,
    expected: str,
    output_text: str,
    source_link: str | None,
    model_version: str | None,
    trace_id: str | None,
    sla: Frozen,
    now: datetime,
) -> Escalation:
    row = Escalation(
        system_key=system_key,
        flagger_id=flagger_id,
        owner_id=owner_id,
        anonymous=anonymous,
        reason=reason,
        expected=expected,
        output_text=output_text,
        source_link=source_link,
        model_version=model_version,
        trace_id=trace_id,
        acknowledge_hours=sla.acknowledge_hours,
        answer_hours=sla.answer_hours,
        acknowledge_due_at=sla.acknowledge_due_at,
        answer_due_at=sla.answer_due_at,
        created_at=now,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    record(
        session=session, row=row, action="flagged", actor_id=flagger_id, now=now, detail={"reason": reason}
    )
    return row


def record(
    *,
    session: Session,
    row: Escalation,
    action: str,
    actor_id: int | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """One step of the timeline; every action on an escalation is audited here."""
    assert row.id is not None
    audit.record(
        session=session,
        at=now,
        actor_person_id=actor_id,
        action=f"escalation.{action}",
        subject=subject(row.id),
        detail=detail or {},
    )


def timeline(*, session: Session, escalation_id: int) -> Sequence[AuditEntry]:
    return audit.for_subject(session=session, subject=subject(escalation_id))


def get(*, session: Session, escalation_id: int) -> Escalation | None:
    return session.get(Escalation, escalation_id)


def by_thread(*, session: Session, platform: str, thread_id: str) -> Escalation | None:
    return session.exec(
        select(Escalation).where(Escalation.card_platform == platform, Escalation.card_thread_id == thread_id)
    ).first()


def open_for_flagger(*, session: Session, person_id: int) -> Sequence[Escalation]:
    return session.exec(
        select(Escalation)
        .where(Escalation.flagger_id == person_id, Escalation.status != Status.resolved)
        .order_by(col(Escalation.created_at))
    ).all()


def waiting_for(*, session: Session, owner_id: int) -> Sequence[Escalation]:
    """Flags sent to this owner that nobody has answered yet."""
    return session.exec(
        select(Escalation)
        .where(Escalation.owner_id == owner_id, col(Escalation.answered_at).is_(None))
        .order_by(col(Escalation.created_at))
    ).all()


def for_system(*, session: Session, system_key: str, since: datetime | None = None) -> Sequence[Escalation]:
    query = select(Escalation).where(Escalation.system_key == system_key)
    if since is not None:
        query = query.where(col(Escalation.created_at) >= since)
    return session.exec(query.order_by(col(Escalation.created_at))).all()


def recent_or_open(*, session: Session, system_key: str, since: datetime) -> Sequence[Escalation]:
    """Flags raised since `since` and older ones not resolved yet: what readiness judges (a year of
    resolved flags would be read for nothing)."""
    query = select(Escalation).where(
        Escalation.system_key == system_key,
        or_(col(Escalation.created_at) >= since, col(Escalation.status) != Status.resolved),
    )
    return session.exec(query.order_by(col(Escalation.created_at))).all()


def handled_by(*, session: Session, person_ids: Sequence[int]) -> set[int]:
    """Which of these people acted on at least one escalation (acknowledged, answered, resolved...)."""
    if not person_ids:
        return set()
    rows = session.exec(
        select(AuditEntry.actor_person_id).where(
            col(AuditEntry.actor_person_id).in_(list(person_ids)),
            col(AuditEntry.action).in_(
                ["escalation.acknowledged", "escalation.answered", "escalation.resolved"]
            ),
        )
    ).all()
    return {r for r in rows if r is not None}


def acknowledge(*, row: Escalation, now: datetime) -> bool:
    if row.acknowledged_at is not None:
        return False
    row.acknowledged_at = now
    if row.status == Status.open:
        row.status = Status.acknowledged
    return True


def answer(*, row: Escalation, text: str, by: int, now: datetime) -> None:
    row.answer = text
    row.answered_by = by
    row.answered_at = now
    row.helpful = None  # a new answer is rated afresh
    row.acknowledged_at = row.acknowledged_at or now
    if row.status != Status.resolved:
        row.status = Status.answered


def resolve(*, row: Escalation, resolution: str, now: datetime) -> None:
    row.resolution = resolution
    row.resolved_at = now
    row.acknowledged_at = row.acknowledged_at or now
    row.status = Status.resolved


def faq_entries(*, session: Session, system_key: str) -> Sequence[FaqEntry]:
    return session.exec(select(FaqEntry).where(FaqEntry.system_key == system_key)).all()


def publish_faq(*, session: Session, row: Escalation, by: int, now: datetime) -> FaqEntry:
    existing = session.exec(select(FaqEntry).where(FaqEntry.escalation_id == row.id)).first()
    if existing is not None:
        return existing
    entry = FaqEntry(
        system_key=row.system_key,
        escalation_id=row.id,
        output_text=row.output_text,
        question=row.expected,
        answer=row.answer or "",
        published_by=by,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def flaggers_of(*, system: str) -> Select[Any]:
    """The people who flagged an output of `system` (a query, for an announcement's audience)."""
    return select(Escalation.flagger_id).where(Escalation.system_key == system)
