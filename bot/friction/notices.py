"""Who hears about a friction report, and how: the owner's card, the reporter's updates.

Owners: a report that blocks someone is posted at once to the system's owners' channel (when it has
one on a platform this deployment serves), else to the programme owner's DM through the attention
policy (Kind.escalation_notice: an operational notice to an owner, ahead of programme messages).
Without a programme owner, the admins get it, so no blocking report lands nowhere.

Reporters hear back through the attention policy as Kind.answer: an update on their own report is the
answer to something they asked for, like an escalation answer, so it neither spends nor waits for the
weekly budget and `stop` (which silences the programme) does not silence it; working hours still hold.

Log lines carry report and owner ids only, never the reporter.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot import attention
from bot.channels import service as channels
from bot.config import Settings
from bot.content import Content
from bot.friction import messages as m
from bot.friction import service
from bot.friction.models import FrictionReport, Status
from bot.messages import Message, Text
from bot.outbox import service as outbox
from bot.ownership import service as ownership
from bot.people import service as people
from bot.people.models import Person
from bot.policy.model import Kind

log = logging.getLogger(__name__)

ROLE = "programme_owner"


def owner_of(*, session: Session, system: str) -> Person | None:
    return ownership.holder(session=session, system=system, role=ROLE)


def to_owners(
    *,
    session: Session,
    content: Content,
    settings: Settings,
    report: FrictionReport,
    message: Message,
    key: str,
    now: datetime,
) -> None:
    """Post to the system's owners' channel, else the report owner's (or the admins') DM."""
    system = content.systems.get(report.system_key)
    where = (
        channels.destination(
            session=session,
            channels={str(p): c for p, c in system.escalation_channel.items()},
            platforms=settings.platforms,
        )
        # During a handover drill, the backup standing in gets it, not the channel the primary reads.
        if system is not None and ownership.running_drill(session=session, system=system.key) is None
        else None
    )
    if where is not None:
        outbox.enqueue(
            session=session,
            key=key,
            platform=where.platform,
            address=where.address,
            message=message,
            now=now,
            kind=outbox.OutboxKind.friction_card,
            priority=20,
        )
        log.info("friction report %s posted to the %s owners' channel", report.id, where.platform)
        return
    owner = session.get(Person, report.owner_id) if report.owner_id else None
    recipients = [owner] if owner is not None else list(people.admins(session=session))
    policy = attention.of(session=session, settings=settings, content=content, now=now)
    for person in recipients:
        policy.deliver(person, message, key=f"{key}:person:{person.id}", kind=Kind.escalation_notice)
        log.info("friction report %s sent to person %s", report.id, person.id)


def post_card(
    *, session: Session, content: Content, settings: Settings, report: FrictionReport, now: datetime
) -> None:
    """A report that blocks someone: the owner's card, at once."""
    reporter = session.get(Person, report.reporter_id)
    owner = session.get(Person, report.owner_id) if report.owner_id else None
    card = m.owner_card(content=content, report=report, reporter=reporter, owner=owner)
    to_owners(
        session=session,
        content=content,
        settings=settings,
        report=report,
        message=card,
        key=f"friction:{report.id}:card",
        now=now,
    )
    report.routed_at = now


def tell_reporters(
    *, session: Session, content: Content, settings: Settings, root: FrictionReport, now: datetime
) -> int:
    """Everyone who filed this report or a duplicate merged into it hears the new status."""
    owner = session.get(Person, root.owner_id) if root.owner_id else None
    told = 0
    policy = attention.of(session=session, settings=settings, content=content, now=now)
    for reporter, filed in service.reporters(session=session, report=root):
        if root.status == Status.fixed:
            filed.better = None  # asked afresh about each fix
        message = m.reporter_update(content=content, root=root, filed=filed, reporter=reporter, owner=owner)
        row = policy.deliver(
            reporter,
            message,
            key=f"friction:{root.id}:r{root.revision}:filed:{filed.id}:person:{reporter.id}",
            kind=Kind.answer,
        )
        told += row is not None
    log.info("friction report %s: %s reporter(s) told it is %s", root.id, told, root.status.value)
    return told


def tell_not_better(
    *,
    session: Session,
    content: Content,
    settings: Settings,
    root: FrictionReport,
    filed: FrictionReport,
    now: datetime,
) -> None:
    reporter = session.get(Person, filed.reporter_id)
    owner = session.get(Person, root.owner_id) if root.owner_id else None
    text = m.render(
        content,
        "not_better",
        report=root,
        reporter=reporter,
        owner=owner,
        overrides={
            "anonymous": filed.anonymous,
            "reporter": m.reporter_label(filed, reporter),
        },
    )
    card = m.owner_card(
        content=content, report=root, reporter=session.get(Person, root.reporter_id), owner=owner
    )
    message = Message(summary=f"{root.reference} is not better yet", blocks=(Text(text), *card.blocks[1:]))
    to_owners(
        session=session,
        content=content,
        settings=settings,
        report=root,
        message=message,
        key=f"friction:{root.id}:r{root.revision}:not-better:{filed.id}",
        now=now,
    )
