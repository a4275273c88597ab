"""The report per announcement: reach, acknowledgement over time, questions; and its CSV export."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, col, select

from bot import csv_export
from bot.announcements import service
from bot.announcements.audience import Audience, members_after
from bot.announcements.models import Announcement, AnnouncementState
from bot.markdown import escape
from bot.messages import Fact, Facts, Message, Quote, Text
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people.models import Person

CSV_COLUMNS = ("email", "name", "delivery", "sent_at", "acknowledged_at", "questions")


def ack_timeline(*, session: Session, announcement: Announcement) -> list[tuple[str, int]]:
    """Cumulative acknowledgements by hours since the announcement was confirmed (1h, 4h, 1d, 3d, 7d, later)."""
    assert announcement.id is not None
    start = announcement.confirmed_at or announcement.created_at
    marks = [("1 hour", 1), ("4 hours", 4), ("1 day", 24), ("3 days", 72), ("7 days", 168)]
    acked = [
        r.acknowledged_at
        for r in service.recipients(session=session, announcement_id=announcement.id)
        if r.acknowledged_at is not None
    ]
    hours = [(at - start).total_seconds() / 3600 for at in acked]
    timeline = [(label, sum(1 for h in hours if h <= limit)) for label, limit in marks]
    timeline.append(("all", len(hours)))
    return timeline


def message(*, session: Session, announcement: Announcement) -> Message:
    assert announcement.id is not None
    counts = service.counts(session=session, announcement=announcement)
    reach = counts.sent / counts.recipients if counts.recipients else 0.0
    acked = counts.acknowledged / counts.sent if counts.sent else 0.0
    timeline = ack_timeline(session=session, announcement=announcement)
    blocks: list[Text | Facts | Quote] = [
        Text(
            f"**Report: announcement {announcement.id}, {escape(announcement.title)}**"
            f" ({service.progress(announcement, counts)})"
        ),
        Facts(
            (
                Fact("Audience", f"{announcement.audience_kind} {announcement.audience_param}".strip()),
                Fact("Recipients", str(counts.recipients)),
                Fact("Reached", f"{counts.sent} ({reach:.0%})"),
                Fact("Pending", str(counts.pending)),
                Fact("Failed", str(counts.failed)),
                Fact("Unreachable", str(counts.unreachable)),
                Fact("Cancelled", str(counts.cancelled)),
                Fact("Acknowledged", f"{counts.acknowledged} ({acked:.0%} of those reached)"),
                Fact("Questions", str(counts.questions)),
            )
        ),
        Text("**Acknowledged within**"),
        Facts(tuple(Fact(label, str(n)) for label, n in timeline)),
    ]
    for question in service.questions(session=session, announcement_id=announcement.id)[:10]:
        state = "answered" if question.answered_at else "open"
        blocks.append(Quote(question.text, label=f"Question {question.id} ({state})"))
    return Message(summary=f"Report for announcement {announcement.id}", blocks=tuple(blocks))


def csv_text(*, session: Session, announcement: Announcement) -> str:
    """One row per recipient, in the words of the counts: who, what happened to their message (sent,
    pending, unreachable, failed, cancelled), when they acknowledged, how many questions they asked.
    People the fan-out has not reached yet are listed too, as pending or unreachable."""
    return csv_export.to_csv(CSV_COLUMNS, recipient_rows(session=session, announcement=announcement))


def recipient_rows(*, session: Session, announcement: Announcement) -> list[tuple[object, ...]]:
    """`CSV_COLUMNS` per recipient (the CSV's rows; the evidence report's record of workers informed)."""
    assert announcement.id is not None
    recipients = service.recipients(session=session, announcement_id=announcement.id)
    person_ids = [r.person_id for r in recipients]
    persons = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()}
    keys = [r.outbox_key for r in recipients]
    queued = {
        o.idempotency_key: o
        for o in session.exec(select(OutboxMessage).where(col(OutboxMessage.idempotency_key).in_(keys))).all()
    }
    asked = Counter(q.person_id for q in service.questions(session=session, announcement_id=announcement.id))
    rows: list[tuple[object, ...]] = []
    for r in recipients:
        person = persons.get(r.person_id)
        row = queued.get(r.outbox_key)
        rows.append(
            (
                person.email if person else "",
                person.display_name if person else "",
                service.DELIVERY[OutboxState(row.state)] if row else ("held" if r.held else "pending"),
                csv_export.moment(row.sent_at if row else None),
                csv_export.moment(r.acknowledged_at),
                asked.get(r.person_id, 0),
            )
        )
    cancelled = announcement.state == AnnouncementState.cancelled
    if service.not_fanned_out(session=session, announcement=announcement).recipients:
        for person, reachable in members_after(
            session=session,
            audience=Audience(announcement.audience_kind, announcement.audience_param),
            after_id=announcement.cursor,
        ):
            delivery = "cancelled" if cancelled else "pending" if reachable else "unreachable"
            rows.append((person.email or "", person.display_name, delivery, "", "", 0))
    return rows
