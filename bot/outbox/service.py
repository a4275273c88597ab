"""Persistence for the outbox: enqueue, claim, and record what happened."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from bot.messages import Message, dump_message
from bot.outbox.models import OutboxKind, OutboxMessage, OutboxState

__all__ = ["OutboxKind", "OutboxState"]

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=120)  # a row "sending" longer than this was orphaned by a dead process


def enqueue(
    *,
    session: Session,
    key: str,
    platform: str,
    address: Mapping[str, Any],
    message: Message,
    now: datetime,
    not_before: datetime | None = None,
    person_id: int | None = None,
    kind: OutboxKind = OutboxKind.reply,
    priority: int = 50,
    thread_id: str | None = None,
    update_of_key: str | None = None,
    after_sent: str | None = None,
    critical: bool = False,
) -> OutboxMessage:
    """Add a message unless one with this key exists already (then that one is returned)."""
    existing = by_key(session=session, key=key)
    if existing is not None:
        return existing
    row = OutboxMessage(
        idempotency_key=key,
        platform=platform,
        address=dict(address),
        payload=dump_message(message),
        person_id=person_id,
        kind=kind,
        priority=priority,
        thread_id=thread_id,
        update_of_key=update_of_key,
        after_sent=after_sent,
        critical=critical,
        next_attempt_at=not_before or now,
        created_at=now,
    )
    with session.begin_nested():
        session.add(row)
    session.info[QUEUED] = True
    return row


def replace_sent(*, session: Session, key: str, message: Message, now: datetime) -> bool:
    """Show `message` in place of the one queued under `key`: still waiting, it is swapped; sent, the
    sent one is updated (a row of its own, tied to no person: an update is not a new message for the
    attention budget). False when nothing was queued under `key` or it can no longer be changed."""
    row = by_key(session=session, key=key)
    if row is None:
        return False
    if row.state in (OutboxState.pending, OutboxState.unreachable):
        row.payload = dump_message(message)
        return True
    if row.state not in (OutboxState.sent, OutboxState.sending):
        return False
    enqueue(
        session=session,
        key=f"{key}:update:{now.isoformat()}",
        platform=row.platform,
        address=row.address,
        message=message,
        now=now,
        kind=OutboxKind.update,
        priority=10,
        thread_id=row.thread_id,
        update_of_key=key,
        critical=True,
    )
    return True


QUEUED = "outbox_queued"  # session.info flag: this unit of work queued a message


def queued_in(session: Session) -> bool:
    return bool(session.info.get(QUEUED))


def by_key(*, session: Session, key: str) -> OutboxMessage | None:
    return session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).first()


def claim_due(
    *,
    session: Session,
    now: datetime,
    worker: str,
    limit: int = 50,
    lease: timedelta = LEASE,
    skip: Sequence[str] = (),
) -> list[OutboxMessage]:
    """Take due rows for this worker; on PostgreSQL other workers skip the rows taken. Rows of the
    platforms in `skip` (paused by a rate limit) are left for later."""
    _release_orphans(session=session, now=now, lease=lease)
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.pending, col(OutboxMessage.next_attempt_at) <= now)
        .order_by(col(OutboxMessage.priority), col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if skip:
        query = query.where(col(OutboxMessage.platform).not_in(list(skip)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.exec(query).all())
    if rows:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_([row.id for row in rows]))
            .values(
                state=OutboxState.sending,
                claimed_at=now,
                claimed_by=worker,
                attempts=OutboxMessage.attempts + 1,
            )
        )
    return rows


def _release_orphans(*, session: Session, now: datetime, lease: timedelta) -> None:
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.state) == OutboxState.sending,
            col(OutboxMessage.claimed_at) < now - lease,
        )
        .values(state=OutboxState.pending, claimed_by=None, unsure=True)  # it may have been sent
    )


def mark_all_sent(*, session: Session, sent: Sequence[tuple[int, str, str | None]], now: datetime) -> None:
    """Record many sends at once: (row id, platform message id, platform thread id)."""
    if sent:
        session.execute(
            update(OutboxMessage),
            [
                {
                    "id": row_id,
                    "state": OutboxState.sent,
                    "sent_at": now,
                    "platform_message_id": message_id,
                    "platform_thread_id": thread_id,
                    "last_error": None,
                    "unsure": False,
                }
                for row_id, message_id, thread_id in sent
            ],
        )


def mark_retry(
    *,
    session: Session,
    row_id: int,
    now: datetime,
    error: str,
    after_seconds: float | None,
    throttled: bool = False,
    unsure: bool = False,
) -> OutboxMessage | None:
    """Send again later. A rate limit (`throttled`) gives the claim's attempt back: a 429 storm must not
    kill rows; `unsure` says the try may have been delivered (the sender looks back first)."""
    row = session.get(OutboxMessage, row_id)
    if row is None:
        return None
    row.last_error = error[:2000]
    row.unsure = unsure
    if throttled:
        row.attempts = max(0, row.attempts - 1)
    elif row.attempts >= MAX_ATTEMPTS:
        row.state = OutboxState.dead
        return row
    row.state = OutboxState.pending
    row.claimed_by = None
    delay = after_seconds if after_seconds is not None else backoff_seconds(row.attempts)
    row.next_attempt_at = now + timedelta(seconds=delay)
    return row


def mark_final(*, session: Session, row_id: int, state: OutboxState, error: str) -> OutboxMessage | None:
    row = session.get(OutboxMessage, row_id)
    if row is None:
        return None
    row.state = state
    row.last_error = error[:2000]
    return row


def backoff_seconds(attempts: int, *, base: float = 2.0, cap: float = 900.0) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * 2 ** max(0, attempts - 1)))


def retry_now(*, session: Session, row_id: int, now: datetime) -> OutboxMessage | None:
    """An admin's retry of a dead or unreachable row."""
    row = session.get(OutboxMessage, row_id)
    if row is None or row.state not in (OutboxState.dead, OutboxState.unreachable):
        return None
    row.state = OutboxState.pending
    row.attempts = 0
    row.next_attempt_at = now
    return row


def listing(*, session: Session, states: Sequence[OutboxState], limit: int = 100) -> Sequence[OutboxMessage]:
    return session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.state).in_(list(states)))
        .order_by(col(OutboxMessage.id).desc())
        .limit(limit)
    ).all()


def counts(*, session: Session) -> dict[str, int]:
    rows = session.exec(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all()
    return {str(state): int(n) for state, n in rows}


def backlog(*, session: Session, now: datetime) -> dict[str, int]:
    """Rows due now and not sent yet, per platform (a fan-out's queue waiting for its quota)."""
    rows = session.exec(
        select(OutboxMessage.platform, func.count())
        .where(OutboxMessage.state == OutboxState.pending, col(OutboxMessage.next_attempt_at) <= now)
        .group_by(OutboxMessage.platform)
    ).all()
    return {str(platform): int(n) for platform, n in rows}


def next_due(*, session: Session) -> datetime | None:
    return session.exec(
        select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.state == OutboxState.pending)
    ).first()


def adopt_unreachable(
    *, session: Session, person_id: int, platform: str, address: Mapping[str, Any], now: datetime
) -> int:
    """Messages queued while a person had no reachable identity go out once they can be reached."""
    rows = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.person_id == person_id,
            OutboxMessage.state == OutboxState.unreachable,
            OutboxMessage.platform == "none",
        )
    ).all()
    for row in rows:
        row.platform = platform
        row.address = dict(address)
        row.state = OutboxState.pending
        row.next_attempt_at = now
        row.last_error = None
    return len(rows)


def with_after_sent(*, session: Session, row_ids: Sequence[int]) -> Sequence[OutboxMessage]:
    """The rows among these that asked for an after-sent handler."""
    if not row_ids:
        return []
    return session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.id).in_(list(row_ids)), col(OutboxMessage.after_sent).is_not(None)
        )
    ).all()


def stuck(*, session: Session, now: datetime, limit: int = 20) -> Sequence[OutboxMessage]:
    """Rows claimed longer ago than the lease (a process died) or overdue by more than an hour."""
    return session.exec(
        select(OutboxMessage)
        .where(
            (
                (col(OutboxMessage.state) == OutboxState.sending)
                & (col(OutboxMessage.claimed_at) < now - LEASE)
            )
            | (
                (col(OutboxMessage.state) == OutboxState.pending)
                & (col(OutboxMessage.next_attempt_at) < now - timedelta(hours=1))
            )
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    ).all()


def readdress(*, session: Session, row: OutboxMessage, address: Mapping[str, Any]) -> int:
    """A better address for `row`'s recipient was learned when it was sent: the row keeps it (updates of
    it go there) and so do the person's rows still waiting for the old one. Returns how many moved."""
    old = dict(row.address)
    row.address = dict(address)
    if row.person_id is None:
        return 0
    waiting = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.person_id == row.person_id,
            OutboxMessage.platform == row.platform,
            col(OutboxMessage.state).in_([OutboxState.pending, OutboxState.unreachable]),
        )
    ).all()
    moved = [r for r in waiting if r.address == old]
    for other in moved:
        other.address = dict(address)
    return len(moved)
