"""Where an escalation's messages go: the card to the system's escalation channel (or the owner's
DM when no channel is served), card refreshes, and notices to people through the attention policy."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import attention
from bot.channels import service as channels
from bot.config import Settings
from bot.content import Content
from bot.escalations import messages
from bot.escalations.models import Escalation
from bot.escalations.sla import local_words
from bot.messages import Message
from bot.outbox import service as outbox
from bot.outbox.models import OutboxKind, OutboxMessage
from bot.ownership import service as ownership
from bot.people import service as people
from bot.people.models import Person
from bot.policy.model import Kind

CARD_HOOK = "escalation.card"
ROLE = "escalation_owner"


def card_key(row: Escalation) -> str:
    return f"escalation:{row.id}:card"


def name(person: Person | None) -> str:
    if person is None:
        return "nobody yet"
    return person.display_name or person.email or f"person {person.id}"


def flagged_by(session: Session, row: Escalation) -> str:
    if row.anonymous:
        return "someone (anonymous)"
    return name(people.get(session=session, person_id=row.flagger_id))


def card(*, session: Session, row: Escalation, content: Content, settings: Settings) -> Message:
    owner = people.get(session=session, person_id=row.owner_id) if row.owner_id else None
    system = content.systems[row.system_key]

    def due(moment: datetime) -> str:
        if owner is None:
            return f"{moment:%a %d %b %H:%M} UTC"
        return f"{local_words(moment, owner, settings)} ({owner.first_name}'s time)"

    facts = messages.CardFacts(
        system=system.name,
        flagged_by=flagged_by(session, row),
        owner=name(owner),
        acknowledge_by=due(row.acknowledge_due_at),
        answer_by=due(row.answer_due_at),
    )
    return messages.card(row, facts)


def post_card(
    *, session: Session, row: Escalation, content: Content, settings: Settings, now: datetime
) -> str:
    """Post the card; returns where it went, in words. Never drops it: channel, else owner, else admins."""
    system = content.systems[row.system_key]
    message = card(session=session, row=row, content=content, settings=settings)
    # During a handover drill the card goes to the backup standing in, not to the channel, where the
    # primary would see it: the drill measures the backups.
    where = (
        None
        if ownership.running_drill(session=session, system=system.key) is not None
        else channels.destination(
            session=session,
            channels={str(k): v for k, v in system.escalation_channel.items()},
            platforms=settings.platforms,
        )
    )
    hook = f"{CARD_HOOK}:{row.id}"
    if where is not None:
        outbox.enqueue(
            session=session,
            key=card_key(row),
            platform=where.platform,
            address=where.address,
            message=message,
            now=now,
            kind=OutboxKind.escalation_card,
            priority=20,
            after_sent=hook,
        )
        return "channel"
    owner = people.get(session=session, person_id=row.owner_id) if row.owner_id else None
    recipients = [owner] if owner is not None and owner.active else list(people.admins(session=session))
    policy = attention.of(session=session, settings=settings, content=content, now=now)
    for person in recipients:
        policy.deliver(
            person,
            message,
            key=card_key(row) if person is owner else f"{card_key(row)}:{person.id}",
            kind=Kind.escalation_notice,
            critical=True,  # no channel to hold it: the owner's DM is the only copy
            after_sent=hook if person is owner else None,
        )
    return "owner" if owner is not None else "admins"


def card_sent(session: Session, sent: OutboxMessage, argument: str) -> None:
    """After-sent hook: remember the card's message id, which is the thread replies arrive in."""
    row = session.get(Escalation, int(argument))
    if row is None:
        return
    row.card_platform = sent.platform
    row.card_address = dict(sent.address)
    row.card_thread_id = sent.platform_thread_id or sent.platform_message_id


def refresh_card(
    *, session: Session, row: Escalation, content: Content, settings: Settings, now: datetime
) -> None:
    """Update the card in place (status, answer, buttons) once it has been delivered."""
    if row.card_platform is None:
        return
    outbox.enqueue(
        session=session,
        key=f"{card_key(row)}:v{now.isoformat()}:{row.status}:{row.owner_id}",
        platform=row.card_platform,
        address=row.card_address,
        message=card(session=session, row=row, content=content, settings=settings),
        now=now,
        kind=OutboxKind.escalation_card,
        priority=20,
        update_of_key=card_key(row),
    )


def tell(
    *,
    session: Session,
    person: Person,
    message: Message,
    key: str,
    kind: Kind,
    settings: Settings,
    content: Content,
    now: datetime,
    critical: bool = False,
) -> None:
    attention.of(session=session, settings=settings, content=content, now=now).deliver(
        person, message, key=key, kind=kind, critical=critical
    )
