"""Queue one fan-out chunk in a handful of statements instead of several per person.

The same outcome as `attention.deliver` per person (the same keys, platforms, addresses, slots and
unreachable rows), but identities, existing keys and rows are read and written in bulk, so a chunk
of 500 costs a few queries plus, for non-critical announcements, one policy read per person.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from bot import attention
from bot.announcements import service
from bot.announcements.models import Announcement, AnnouncementRecipient
from bot.announcements.scheduled import local_moment
from bot.config import Settings
from bot.messages import Message, dump_message
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people.models import Identity, Person
from bot.policy.model import PRIORITY, Action, Kind, resolve_timezone

UNREACHABLE = "this person has no reachable identity on any platform yet"


def _identities(session: Session, person_ids: Sequence[int]) -> dict[int, Identity]:
    """Each person's identity to reach them on: reachable, with an address, most recently seen."""
    found: dict[int, Identity] = {}
    rows = session.exec(
        select(Identity).where(
            col(Identity.person_id).in_(list(person_ids)), col(Identity.reachable).is_(True)
        )
    ).all()
    for identity in rows:
        if not identity.address:
            continue
        best = found.get(identity.person_id)
        seen = identity.last_seen_at.timestamp() if identity.last_seen_at else 0.0
        if best is None or seen > (best.last_seen_at.timestamp() if best.last_seen_at else 0.0):
            found[identity.person_id] = identity
    return found


def queue_chunk(
    *,
    session: Session,
    announcement: Announcement,
    batch: Sequence[Person],
    now: datetime,
    settings: Settings,
    holidays: Collection[date],
    message_for: Callable[[Person], Message],
) -> int:
    """Queue a message for each person in `batch` without one yet; returns how many were queued."""
    assert announcement.id is not None
    ids = [p.id for p in batch if p.id is not None]
    done = service.recipient_ids(session=session, announcement_id=announcement.id, person_ids=ids)
    keys = {pid: service.person_key(announcement.id, pid) for pid in ids}
    queued_keys = set(
        session.exec(
            select(OutboxMessage.idempotency_key).where(
                col(OutboxMessage.idempotency_key).in_(list(keys.values()))
            )
        ).all()
    )
    identities = _identities(session, ids)
    outbox_rows: list[dict[str, Any]] = []
    recipients: list[dict[str, Any]] = []
    for person in batch:
        if person.id is None or person.id in done:
            continue
        key = keys[person.id]
        slot = _slot(
            session=session,
            announcement=announcement,
            person=person,
            now=now,
            settings=settings,
            holidays=holidays,
        )
        recipients.append(
            {
                "announcement_id": announcement.id,
                "person_id": person.id,
                "outbox_key": key,
                "held": slot is None,
            }
        )
        if slot is None or key in queued_keys:
            continue
        identity = identities.get(person.id)
        outbox_rows.append(
            {
                "idempotency_key": key,
                "platform": identity.platform if identity else "none",
                "address": dict(identity.address) if identity else {},
                "payload": dump_message(message_for(person)),
                "person_id": person.id,
                "kind": str(Kind.announcement),
                "priority": PRIORITY[Kind.announcement],
                "critical": announcement.critical,
                "state": OutboxState.pending if identity else OutboxState.unreachable,
                "last_error": None if identity else UNREACHABLE,
                "attempts": 0,
                "next_attempt_at": slot,
                "created_at": now,
            }
        )
    if outbox_rows:
        session.execute(insert(OutboxMessage), outbox_rows)
    if recipients:
        session.execute(insert(AnnouncementRecipient), recipients)
    return len(outbox_rows)


def _slot(
    *,
    session: Session,
    announcement: Announcement,
    person: Person,
    now: datetime,
    settings: Settings,
    holidays: Collection[date],
) -> datetime | None:
    """When this person's copy may go; None when the policy holds it."""
    earliest = None
    if announcement.local_when:
        zone = resolve_timezone(person.effective_timezone, default=settings.default_timezone)
        earliest = local_moment(announcement.local_when, zone=zone, after=now)
    if announcement.critical:  # the policy's answer for critical, without reading the person's state
        return max(now, earliest) if earliest else now
    decision = attention.decision_for(
        session=session,
        person=person,
        kind=Kind.announcement,
        settings=settings,
        now=now,
        earliest=earliest,
        holidays=holidays,
    )
    if decision.action == Action.hold:
        return None
    return decision.at if decision.action == Action.defer and decision.at else now
