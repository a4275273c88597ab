"""Fan-out in chunks, the author's live status message, and the changelog hook for newcomers.

Each recipient's message has the outbox key `announcement:{id}:person:{pid}`, so a chunk that runs
twice (a crash between claim and commit) queues nothing twice. A chunk is one unit of work of at most
`CHUNK` people; the next chunk is its own due-work job, so a 10,000-person fan-out never holds one
long transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import attention
from bot.announcements import bulk, estimate, service
from bot.announcements import messages as m
from bot.announcements.audience import Audience, chunk
from bot.announcements.compose import BodyError, SystemInfo, context_for, render_body
from bot.announcements.models import Announcement, AnnouncementRecipient, AnnouncementState
from bot.channels import service as channels
from bot.config import Settings
from bot.content import Content
from bot.markdown import escape
from bot.messages import Message
from bot.outbox import service as outbox
from bot.people import service as people
from bot.people.models import Person
from bot.policy.model import Kind
from bot.schedule import service as schedule

log = logging.getLogger(__name__)

CHUNK = 100  # one chunk's transaction stays short enough not to stall the paced outbox
STATUS_EVERY = timedelta(seconds=30)


def system_info(*, content: Content, announcement: Announcement) -> SystemInfo | None:
    if not announcement.system_key:
        return None
    system = content.systems.get(announcement.system_key)
    name = system.name if system else announcement.system_key
    version = announcement.model_version or (system.model_version if system else "") or ""
    return SystemInfo(announcement.system_key, name, version)


def message_for(
    *, content: Content, announcement: Announcement, person: Person, footer: str | None = None
) -> Message:
    info = system_info(content=content, announcement=announcement)
    context = context_for(person, info, announcement.title)
    try:
        body = render_body(announcement.body, context)
    except BodyError:  # checked at preview; a body that fails for one person still says something
        log.warning("announcement %s body failed for person %s", announcement.id, person.id)
        body = escape(announcement.body)
    if footer is None:
        footer = m.footer(content=content, announcement=announcement, system_name=info.name if info else "")
    return m.to_recipient(announcement=announcement, body=body, footer_markdown=footer)


def fan_out(
    *, session: Session, announcement_id: int, n: int, now: datetime, content: Content, settings: Settings
) -> int:
    """Queue the next chunk; returns how many people it reached (0 when finished or cancelled)."""
    announcement = service.get(session=session, announcement_id=announcement_id)
    if announcement is None or announcement.state in (AnnouncementState.cancelled, AnnouncementState.done):
        return 0
    if announcement.state == AnnouncementState.scheduled:
        announcement.state = AnnouncementState.sending
        service.record_model_version(session=session, announcement=announcement, now=now)
    if announcement.audience_kind == "channel":
        _post_to_channel(
            session=session, announcement=announcement, now=now, content=content, settings=settings
        )
        announcement.fanned_out = 1
        announcement.state = AnnouncementState.done
        service.touch_status(session=session, announcement=announcement, now=now)
        return 1
    batch = chunk(
        session=session,
        audience=Audience(announcement.audience_kind, announcement.audience_param),
        after_id=announcement.cursor,
        limit=CHUNK,
    )
    info = system_info(content=content, announcement=announcement)
    footer = m.footer(content=content, announcement=announcement, system_name=info.name if info else "")
    bulk.queue_chunk(
        policy=attention.of(session=session, settings=settings, content=content, now=now),
        announcement=announcement,
        batch=batch,
        message_for=lambda person: message_for(
            content=content, announcement=announcement, person=person, footer=footer
        ),
    )
    if batch:
        assert batch[-1].id is not None
        announcement.cursor = batch[-1].id
        announcement.fanned_out += len(batch)
    if len(batch) == CHUNK:
        schedule.upsert(
            session=session,
            kind=service.FANOUT,
            subject=service.fanout_subject(announcement_id, n + 1),
            due_at=now,
            now=now,
            payload={"id": announcement_id, "n": n + 1},
        )
    else:
        announcement.state = AnnouncementState.done
        # People who joined the audience after confirmation were counted by the walk itself.
        announcement.recipients = max(announcement.recipients, announcement.fanned_out)
    service.touch_status(session=session, announcement=announcement, now=now)
    return len(batch)


def deliver_to(
    *,
    session: Session,
    announcement: Announcement,
    person: Person,
    now: datetime,
    content: Content,
    settings: Settings,
    critical: bool | None = None,
    footer: str | None = None,
    known_new: bool = False,
) -> AnnouncementRecipient:
    assert announcement.id is not None and person.id is not None
    if not known_new:
        existing = service.recipient(session=session, announcement_id=announcement.id, person_id=person.id)
        if existing is not None:
            return existing
    key = service.person_key(announcement.id, person.id)
    policy = attention.of(session=session, settings=settings, content=content, now=now)
    row = policy.deliver(
        person,
        message_for(content=content, announcement=announcement, person=person, footer=footer),
        key=key,
        kind=Kind.announcement,
        critical=announcement.critical if critical is None else critical,
        earliest=bulk.earliest(announcement, person, policy),
        after_sent=f"{service.SENT_HOOK}:{announcement.id}",  # one person's copy, maybe after the status stopped
    )
    found = AnnouncementRecipient(
        announcement_id=announcement.id, person_id=person.id, outbox_key=key, held=row is None
    )
    session.add(found)
    return found


def _post_to_channel(
    *, session: Session, announcement: Announcement, now: datetime, content: Content, settings: Settings
) -> None:
    assert announcement.id is not None
    where = channels.destination(
        session=session,
        channels={p: announcement.audience_param for p in settings.platforms},
        platforms=settings.platforms,
    )
    anyone = Person(display_name="everyone", created_at=now)
    message = message_for(content=content, announcement=announcement, person=anyone)
    row = outbox.enqueue(
        session=session,
        key=service.channel_key(announcement.id),
        platform=where.platform if where else "none",
        address=where.address if where else {},
        message=message,
        now=now,
        kind=outbox.OutboxKind.announcement,
        critical=announcement.critical,
    )
    if where is None:
        row.state = outbox.OutboxState.unreachable
        row.last_error = f"no platform can post to channel {announcement.audience_param!r}"


def send_status(
    *, session: Session, announcement: Announcement, now: datetime, quota_scale: float = 1.0
) -> datetime | None:
    """Send (or update) the author's status message if the counts changed; when to look again."""
    assert announcement.id is not None
    if announcement.author_id is None:
        return None
    author = session.get(Person, announcement.author_id)
    if author is None:
        return None
    counts = service.counts(session=session, announcement=announcement)
    state = service.progress(announcement, counts)
    snapshot = f"{counts.as_dict()}|{state}"
    if snapshot != announcement.status_snapshot:
        seq = announcement.status_seq
        identity = people.reachable_identity(session=session, person_id=announcement.author_id)
        if identity is None:
            return None
        outbox.enqueue(
            session=session,
            key=service.status_key(announcement.id, seq),
            platform=identity.platform,
            address=identity.address,
            message=m.status(
                announcement=announcement,
                counts=counts,
                state=state,
                finish=estimate.finish_text(
                    session=session, announcement=announcement, pending=counts.pending, scale=quota_scale
                ),
            ),
            now=now,
            person_id=author.id,
            kind=outbox.OutboxKind.answer,
            priority=10,
            update_of_key=service.status_key(announcement.id, 0) if seq > 0 else None,
        )
        announcement.status_seq = seq + 1
        announcement.status_snapshot = snapshot
    if counts.pending == 0:
        return None
    if announcement.state == AnnouncementState.scheduled and announcement.send_at is not None:
        return max(now + STATUS_EVERY, announcement.send_at)  # nothing moves before the fan-out starts
    due = service.next_pending_at(session=session, announcement_id=announcement.id)
    return max(now + STATUS_EVERY, due or now)


def send_latest_to(
    *,
    session: Session,
    person: Person,
    system: str,
    now: datetime,
    content: Content,
    settings: Settings,
    enrolled_at: datetime | None = None,
) -> bool:
    """Changelog hook for people enrolled later: the newest announcement of `system` that names a model
    version, once per person (the same outbox key as the fan-out). True when something was queued.
    Only what was confirmed before `enrolled_at`: a later one reaches them by its own fan-out."""
    latest = service.latest_for_system(session=session, system=system, confirmed_before=enrolled_at)
    if latest is None or person.id is None:
        return False
    if service.recipient(session=session, announcement_id=latest.id or 0, person_id=person.id):
        return False
    # Old news is not urgent any more: it waits for the newcomer's working hours.
    deliver_to(
        session=session,
        announcement=latest,
        person=person,
        now=now,
        content=content,
        settings=settings,
        critical=False,
    )
    return True
