"""Persistence for announcements: drafts, confirmation, live counts, cancel, acknowledgements, questions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_, select

from bot.announcements.audience import Audience, Reach, reach
from bot.announcements.models import (
    Announcement,
    AnnouncementQuestion,
    AnnouncementRecipient,
    AnnouncementState,
)
from bot.outbox.models import OutboxMessage, OutboxState
from bot.ownership.models import SystemRecord
from bot.schedule import service as schedule
from bot.store.snapshot import shared

FANOUT = "announcement.fanout"
STATUS = "announcement.status"
# On a recipient's row that may go after the status job has stopped looking (unreachable at first, or
# one person's copy queued later): its delivery asks for a fresh status, so "done" and the counts stay true.
SENT_HOOK = "announcement.sent"
QUESTION_SLA = "announcement.question_sla"


def person_key(announcement_id: int, person_id: int) -> str:
    return f"announcement:{announcement_id}:person:{person_id}"


def channel_key(announcement_id: int) -> str:
    return f"announcement:{announcement_id}:channel"


def status_key(announcement_id: int, seq: int) -> str:
    return f"announcement:{announcement_id}:status:{seq}"


def fanout_subject(announcement_id: int, n: int) -> str:
    return f"announcement:{announcement_id}:fanout:{n}"


def status_subject(announcement_id: int) -> str:
    return f"announcement:{announcement_id}:status"


def get(*, session: Session, announcement_id: int) -> Announcement | None:
    return session.get(Announcement, announcement_id)


def by_client_key(*, session: Session, key: str) -> Announcement | None:
    return session.exec(select(Announcement).where(Announcement.client_key == key)).first()


def recent(*, session: Session, author_id: int | None = None, limit: int = 10) -> Sequence[Announcement]:
    query = select(Announcement).where(Announcement.state != AnnouncementState.draft)
    if author_id is not None:
        query = query.where(Announcement.author_id == author_id)
    return session.exec(query.order_by(col(Announcement.id).desc()).limit(limit)).all()


# Help asks this of everyone on every `help` (who may see `announcement ID`): one statement built once,
# run without the ORM, which cost more than the query itself.
_AUTHORED = sa_select(col(Announcement.id)).where(col(Announcement.author_id) == bindparam("person")).limit(1)


_AUTHORS = sa_select(col(Announcement.author_id)).where(col(Announcement.author_id).is_not(None)).distinct()


def has_authored(*, session: Session, person_id: int) -> bool:
    """In a listing, from the process's snapshot of who wrote one (a few people: admins, communicators)."""
    authors = shared(session, name="announcements.authors", tables=("announcement",), build=_authors)
    if authors is not None:
        return person_id in authors
    return session.connection().execute(_AUTHORED, {"person": person_id}).first() is not None


def _authors(session: Session) -> frozenset[int]:
    return frozenset(
        author for author in session.connection().execute(_AUTHORS).scalars() if author is not None
    )


def changelog(*, session: Session, system: str, limit: int = 20) -> Sequence[Announcement]:
    return session.exec(
        select(Announcement)
        .where(
            Announcement.system_key == system,
            col(Announcement.state).in_([AnnouncementState.sending, AnnouncementState.done]),
        )
        .order_by(col(Announcement.id).desc())
        .limit(limit)
    ).all()


def confirm(*, session: Session, announcement: Announcement, now: datetime) -> Announcement:
    """Fix the audience size and schedule the first fan-out chunk (now, or at `send_at`)."""
    assert announcement.id is not None
    if announcement.state != AnnouncementState.draft:
        return announcement
    found = reach(session=session, audience=Audience(announcement.audience_kind, announcement.audience_param))
    announcement.recipients, announcement.unreachable = found.recipients, found.unreachable
    announcement.state = AnnouncementState.scheduled
    announcement.confirmed_at = now
    schedule.upsert(
        session=session,
        kind=FANOUT,
        subject=fanout_subject(announcement.id, 0),
        due_at=announcement.send_at or now,
        now=now,
        payload={"id": announcement.id},
        wake=True,  # "send now" reaches the first recipient at once, not at the next tick
    )
    session.flush()
    return announcement


def record_model_version(*, session: Session, announcement: Announcement, now: datetime) -> None:
    if not announcement.system_key or not announcement.model_version:
        return
    record = session.get(SystemRecord, announcement.system_key)
    if record is None:
        record = SystemRecord(key=announcement.system_key)
        session.add(record)
    record.model_version = announcement.model_version
    record.model_version_at = now


def cancel(*, session: Session, announcement: Announcement, now: datetime) -> int:
    """Stop what has not gone yet: the fan-out, and every queued message (they become cancelled)."""
    assert announcement.id is not None
    if announcement.state in (AnnouncementState.cancelled,):
        return 0
    announcement.state = AnnouncementState.cancelled
    announcement.cancelled_at = now
    schedule.cancel(session=session, subject_prefix=f"announcement:{announcement.id}:fanout:")
    result = session.execute(
        update(OutboxMessage)
        .where(
            _recipient_rows(announcement.id),
            col(OutboxMessage.state).in_([OutboxState.pending, OutboxState.unreachable]),
        )
        .values(state=OutboxState.cancelled, last_error="the announcement was cancelled")
    )
    touch_status(session=session, announcement=announcement, now=now)
    return int(getattr(result, "rowcount", 0) or 0)


def _recipient_rows(announcement_id: int):  # type: ignore[no-untyped-def]
    return or_(
        col(OutboxMessage.idempotency_key).startswith(
            f"announcement:{announcement_id}:person:", autoescape=True
        ),
        col(OutboxMessage.idempotency_key) == channel_key(announcement_id),
    )


def touch_status(*, session: Session, announcement: Announcement, now: datetime) -> None:
    """Ask for a fresh status message for the author soon (one per tick, however many clicks)."""
    assert announcement.id is not None
    if announcement.author_id is None:
        return
    schedule.upsert(
        session=session,
        kind=STATUS,
        subject=status_subject(announcement.id),
        due_at=now,
        now=now,
        payload={"id": announcement.id},
    )


# What happened to each recipient's message, in the words of counts, the status message and the CSV.
DELIVERY: dict[OutboxState, str] = {
    OutboxState.pending: "pending",
    OutboxState.sending: "pending",
    OutboxState.sent: "sent",
    OutboxState.dead: "failed",
    OutboxState.unreachable: "unreachable",
    OutboxState.cancelled: "cancelled",
}


@dataclass(frozen=True)
class Counts:
    """One number per recipient state; every recipient is in exactly one of the first five.

    - sent: delivered.
    - pending: will go without anyone doing anything: queued for its slot, being sent, or not queued yet
      (the fan-out has not reached them) while they can be reached.
    - unreachable: nobody to deliver to yet (they never talked to the coach); theirs goes when they do,
      queued or not.
    - failed: every attempt failed (the outbox's `dead`; `outbox retry ID`).
    - cancelled: stopped by a cancel before it went.
    """

    recipients: int
    pending: int
    sent: int
    failed: int
    unreachable: int
    cancelled: int
    acknowledged: int
    questions: int

    def as_dict(self) -> dict[str, int]:
        return {
            "recipients": self.recipients,
            "pending": self.pending,
            "sent": self.sent,
            "failed": self.failed,
            "unreachable": self.unreachable,
            "cancelled": self.cancelled,
            "acknowledged": self.acknowledged,
            "questions": self.questions,
        }


def not_fanned_out(*, session: Session, announcement: Announcement) -> Reach:
    """The recipients the fan-out has not reached yet, and how many of them cannot be reached."""
    if announcement.state not in (
        AnnouncementState.scheduled,
        AnnouncementState.sending,
        AnnouncementState.cancelled,
    ):
        return Reach(0, 0)
    if announcement.audience_kind == "channel":
        return Reach(max(0, announcement.recipients - announcement.fanned_out), 0)
    return reach(
        session=session,
        audience=Audience(announcement.audience_kind, announcement.audience_param),
        after_id=announcement.cursor,
    )


def counts(*, session: Session, announcement: Announcement) -> Counts:
    assert announcement.id is not None
    states = session.exec(
        select(OutboxMessage.state, func.count())
        .where(_recipient_rows(announcement.id))
        .group_by(OutboxMessage.state)
    ).all()
    acknowledged = session.exec(
        select(func.count()).where(
            AnnouncementRecipient.announcement_id == announcement.id,
            col(AnnouncementRecipient.acknowledged_at).is_not(None),
        )
    ).one()
    questions = session.exec(
        select(func.count()).where(AnnouncementQuestion.announcement_id == announcement.id)
    ).one()
    return tally(
        session=session,
        announcement=announcement,
        states=[(str(state), int(n)) for state, n in states],
        acknowledged=int(acknowledged),
        questions=int(questions),
    )


def tally(
    *,
    session: Session,
    announcement: Announcement,
    states: Iterable[tuple[str, int]],
    acknowledged: int,
    questions: int,
) -> Counts:
    """Counts from the recipients' outbox rows by state (`states`), with those the fan-out has not
    reached yet: `counts` for one announcement, `bot.announcements.counting` for a page of them."""
    by_state: dict[str, int] = dict.fromkeys(("pending", "sent", "failed", "unreachable", "cancelled"), 0)
    for state, n in states:
        by_state[DELIVERY[OutboxState(state)]] += n
    ahead = not_fanned_out(session=session, announcement=announcement)
    if announcement.state == AnnouncementState.cancelled:
        by_state["cancelled"] += ahead.recipients
    else:
        by_state["pending"] += ahead.recipients - ahead.unreachable
        by_state["unreachable"] += ahead.unreachable
    fanned = announcement.fanned_out if announcement.state != AnnouncementState.done else 0
    return Counts(
        # While the fan-out runs, people who joined the audience since confirmation count too.
        recipients=max(announcement.recipients, fanned + ahead.recipients),
        pending=by_state["pending"],
        sent=by_state["sent"],
        failed=by_state["failed"],
        unreachable=by_state["unreachable"],
        cancelled=by_state["cancelled"],
        acknowledged=acknowledged,
        questions=questions,
    )


def progress(announcement: Announcement, counts: Counts) -> str:
    """The state people are shown: `done` only once the fan-out is complete and nothing is pending (a
    fan-out that finished while messages wait for their recipients' working hours is still `sending`)."""
    if announcement.state == AnnouncementState.done:
        return "sending" if counts.pending else "done"
    return str(announcement.state)


def next_pending_at(*, session: Session, announcement_id: int) -> datetime | None:
    return session.exec(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            _recipient_rows(announcement_id),
            col(OutboxMessage.state).in_([OutboxState.pending, OutboxState.sending]),
        )
    ).first()


def recipient(*, session: Session, announcement_id: int, person_id: int) -> AnnouncementRecipient | None:
    return session.exec(
        select(AnnouncementRecipient).where(
            AnnouncementRecipient.announcement_id == announcement_id,
            AnnouncementRecipient.person_id == person_id,
        )
    ).first()


def recipient_ids(*, session: Session, announcement_id: int, person_ids: Sequence[int]) -> set[int]:
    """Which of these people already have a recipient row (a chunk that is run again skips them)."""
    if not person_ids:
        return set()
    return set(
        session.exec(
            select(AnnouncementRecipient.person_id).where(
                AnnouncementRecipient.announcement_id == announcement_id,
                col(AnnouncementRecipient.person_id).in_(list(person_ids)),
            )
        ).all()
    )


def recipients(*, session: Session, announcement_id: int) -> Sequence[AnnouncementRecipient]:
    return session.exec(
        select(AnnouncementRecipient)
        .where(AnnouncementRecipient.announcement_id == announcement_id)
        .order_by(col(AnnouncementRecipient.person_id))
    ).all()


def join(*, session: Session, announcement: Announcement, person_id: int) -> AnnouncementRecipient:
    """A recipient row for someone who met a channel announcement in its channel."""
    assert announcement.id is not None
    row = AnnouncementRecipient(
        announcement_id=announcement.id, person_id=person_id, outbox_key=channel_key(announcement.id)
    )
    session.add(row)
    session.flush()  # a concurrent first click stops here (uq_announcement_recipient) and is retried
    return row


def acknowledge(
    *, session: Session, announcement: Announcement, person_id: int, now: datetime
) -> AnnouncementRecipient:
    """Record "Got it" once; a channel announcement gains a recipient row on the first click."""
    assert announcement.id is not None
    row = recipient(session=session, announcement_id=announcement.id, person_id=person_id)
    if row is None:
        row = join(session=session, announcement=announcement, person_id=person_id)
    if row.acknowledged_at is None:
        row.acknowledged_at = now
        touch_status(session=session, announcement=announcement, now=now)
    session.flush()
    return row


def questions(*, session: Session, announcement_id: int) -> Sequence[AnnouncementQuestion]:
    return session.exec(
        select(AnnouncementQuestion)
        .where(AnnouncementQuestion.announcement_id == announcement_id)
        .order_by(col(AnnouncementQuestion.id))
    ).all()


def latest_for_system(
    *, session: Session, system: str, confirmed_before: datetime | None = None
) -> Announcement | None:
    """The newest announcement that went out for a system and names a model version (confirmed before
    a moment, if given)."""
    query = select(Announcement).where(
        Announcement.system_key == system,
        col(Announcement.model_version).is_not(None),
        col(Announcement.state).in_([AnnouncementState.sending, AnnouncementState.done]),
    )
    if confirmed_before is not None:
        query = query.where(col(Announcement.confirmed_at) < confirmed_before)
    return session.exec(query.order_by(col(Announcement.id).desc()).limit(1)).first()
