"""Counts for a page of announcements at once: three grouped queries, not three per announcement.

An announcement's recipients' outbox rows are those keyed `announcement:ID:person:…` and its channel's
`announcement:ID:channel` (`service.person_key`, `service.channel_key`); here the key is taken apart in
SQL, so one pass over the announcements' outbox rows counts them all, by announcement and state.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, func, or_, select

from bot.announcements.models import Announcement, AnnouncementQuestion, AnnouncementRecipient
from bot.announcements.service import Counts, tally
from bot.outbox.models import OutboxMessage
from bot.store.text import position

PREFIX = "announcement:"


def counts_of(*, session: Session, announcements: Sequence[Announcement]) -> dict[int, Counts]:
    """Each announcement's counts by id, exactly as `service.counts` gives them one at a time."""
    ids = [a.id for a in announcements if a.id is not None]
    if not ids:
        return {}
    key = col(OutboxMessage.idempotency_key)
    rest = func.substr(key, len(PREFIX) + 1)  # "ID:person:7" or "ID:channel"
    colon = position(rest + ":", ":")  # a colon always found: PostgreSQL refuses a negative length
    number = func.substr(rest, 1, colon - 1)
    tail = func.substr(rest, colon + 1)
    states: dict[int, list[tuple[str, int]]] = {i: [] for i in ids}
    for found, state, n in session.exec(
        select(number, OutboxMessage.state, func.count())
        .where(
            key.startswith(PREFIX),
            number.in_([str(i) for i in ids]),
            or_(tail.startswith("person:"), tail == "channel"),
        )
        .group_by(number, col(OutboxMessage.state))
    ).all():
        states[int(found)].append((str(state), int(n)))
    acknowledged = _per_announcement(
        session,
        select(AnnouncementRecipient.announcement_id, func.count())
        .where(
            col(AnnouncementRecipient.announcement_id).in_(ids),
            col(AnnouncementRecipient.acknowledged_at).is_not(None),
        )
        .group_by(col(AnnouncementRecipient.announcement_id)),
    )
    questions = _per_announcement(
        session,
        select(AnnouncementQuestion.announcement_id, func.count())
        .where(col(AnnouncementQuestion.announcement_id).in_(ids))
        .group_by(col(AnnouncementQuestion.announcement_id)),
    )
    return {
        a.id: tally(
            session=session,
            announcement=a,
            states=states[a.id],
            acknowledged=acknowledged.get(a.id, 0),
            questions=questions.get(a.id, 0),
        )
        for a in announcements
        if a.id is not None
    }


def _per_announcement(session: Session, query: object) -> dict[int, int]:
    return {int(i): int(n) for i, n in session.exec(query).all()}  # type: ignore[call-overload]
