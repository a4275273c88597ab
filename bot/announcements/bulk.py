"""Queue one fan-out chunk in a handful of statements instead of several per person.

The queueing itself is `Attention.deliver_many` (the same keys, platforms, addresses, slots and
unreachable rows as one `deliver` per person); this adds the announcement's own bookkeeping: who was
reached by the walk already, and one recipient row per person (held while the policy holds them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert

from bot.announcements import service
from bot.announcements.models import Announcement, AnnouncementRecipient
from bot.announcements.when import local_moment
from bot.attention import Attention
from bot.messages import Message
from bot.people.models import Person
from bot.policy.model import Kind, resolve_timezone


def queue_chunk(
    *,
    policy: Attention,
    announcement: Announcement,
    batch: Sequence[Person],
    message_for: Callable[[Person], Message],
) -> int:
    """Queue a message for each person in `batch` without one yet; returns how many were new."""
    assert announcement.id is not None
    session = policy.session
    ids = [p.id for p in batch if p.id is not None]
    done = service.recipient_ids(session=session, announcement_id=announcement.id, person_ids=ids)
    fresh = [p for p in batch if p.id is not None and p.id not in done]
    slots = policy.deliver_many(
        fresh,
        kind=Kind.announcement,
        key_for=lambda person: service.person_key(announcement.id or 0, person.id or 0),
        message_for=message_for,
        critical=announcement.critical,
        earliest_for=lambda person: earliest(announcement, person, policy),
        after_sent_if_unreachable=f"{service.SENT_HOOK}:{announcement.id}",
    )
    recipients: list[dict[str, Any]] = [
        {
            "announcement_id": announcement.id,
            "person_id": person_id,
            "outbox_key": service.person_key(announcement.id, person_id),
            "held": slot is None,
        }
        for person_id, slot in slots.items()
    ]
    if recipients:
        session.execute(insert(AnnouncementRecipient), recipients)
    return len(recipients)


def earliest(announcement: Announcement, person: Person, policy: Attention) -> datetime | None:
    """ "Mon 09:30 local": that moment in the person's time zone; None when the announcement names none."""
    if not announcement.local_when:
        return None
    zone = resolve_timezone(person.effective_timezone, default=policy.settings.default_timezone)
    return local_moment(announcement.local_when, zone=zone, after=policy.now)
