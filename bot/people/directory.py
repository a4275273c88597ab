"""Matching people known only by email to their platform identity, so they can be reached on day one.

People enrolled by email or imported, and owners named in systems.yaml, have no identity until they
write to the coach; messages to them wait as unreachable. The `people.match` due work asks each
platform's `PeopleFinder` (Slack: users.lookupByEmail for a few, users.list pages for many) and gives
each person found an identity that reaches them (not yet "seen": their first message is still their
first contact), then releases what waited for them (`outbox.adopt_unreachable`). It runs at start-up,
whenever someone is added by email, and every `REFRESH` while anyone is still unmatched.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.events import Actor
from bot.outbox import service as outbox
from bot.people.models import Identity, Person
from bot.people.service import MATCH
from bot.ports import PeopleFinder
from bot.schedule import service as schedule
from bot.schedule.models import DueWork
from bot.schedule.ticker import AsyncHandler
from bot.store.db import Store

log = logging.getLogger(__name__)

REFRESH = timedelta(hours=6)
MAX_EMAILS = 50_000  # one run's share; the next run takes the rest
RECORD_CHUNK = 200  # people given an identity per unit of work


def unmatched(*, session: Session, platform: str) -> tuple[list[str], list[str]]:
    """Emails of people with no identity on `platform`, and the workspaces met there."""
    matched = select(Identity.person_id).where(Identity.platform == platform)
    emails = session.exec(
        select(Person.email)
        .where(col(Person.email).is_not(None), col(Person.id).not_in(matched))
        .order_by(col(Person.id))
        .limit(MAX_EMAILS)
    ).all()
    workspaces = session.exec(
        select(Identity.workspace).where(Identity.platform == platform).distinct()
    ).all()
    return [e for e in emails if e], sorted(set(workspaces))


def record_found(*, session: Session, platform: str, found: Mapping[str, Actor], now: datetime) -> int:
    """Give each person found an identity that reaches them; returns how many were matched."""
    matched = 0
    emails = [email.lower() for email in found]
    people = {p.email: p for p in session.exec(select(Person).where(col(Person.email).in_(emails))).all()}
    for email, actor in found.items():
        person = people.get(email.lower())
        if person is None or person.id is None or not actor.address:
            continue
        taken = session.exec(
            select(Identity).where(
                Identity.platform == actor.platform,
                Identity.workspace == actor.workspace,
                Identity.user_id == actor.user_id,
            )
        ).first()
        if taken is not None:  # met already under another person row: leave both as they are
            continue
        session.add(
            Identity(
                person_id=person.id,
                platform=actor.platform,
                workspace=actor.workspace,
                user_id=actor.user_id,
                address=dict(actor.address),
                reachable=True,
            )
        )
        if not person.timezone and actor.timezone:
            person.timezone = actor.timezone
        if not person.display_name and actor.display_name:
            person.display_name = actor.display_name
        session.flush()
        outbox.adopt_unreachable(
            session=session, person_id=person.id, platform=actor.platform, address=actor.address, now=now
        )
        matched += 1
    return matched


def _unmatched(session: Session, *, platform: str) -> tuple[list[str], list[str]]:
    return unmatched(session=session, platform=platform)


def _record(session: Session, *, platform: str, found: Mapping[str, Actor], now: datetime) -> int:
    return record_found(session=session, platform=platform, found=found, now=now)


def match_handler(*, store: Store, directories: Mapping[str, object]) -> AsyncHandler:
    """`directories` is read when the job runs: adapters register theirs after the runtime is built;
    those that can find people by email (`PeopleFinder`) are asked."""

    async def match(job: DueWork, now: datetime) -> None:
        left = 0
        finders = {p: d for p, d in list(directories.items()) if isinstance(d, PeopleFinder)}
        for platform, finder in finders.items():
            emails, workspaces = await store.run(functools.partial(_unmatched, platform=platform))
            if not emails:
                continue
            found = await finder.by_email(emails, workspaces=workspaces)
            matched = 0
            items = list(found.items())
            for start in range(0, len(items), RECORD_CHUNK):  # short units of work: sending goes on beside
                chunk = dict(items[start : start + RECORD_CHUNK])
                matched += await store.run(
                    functools.partial(_record, platform=platform, found=chunk, now=now)
                )
            left += len(emails) - matched
            log.info("%s directory: %d of %d people known by email matched", platform, matched, len(emails))
        if left:  # look again later: people join the workspace after they are enrolled
            again = now + REFRESH
            await store.run(
                lambda s: schedule.upsert(session=s, kind=MATCH, subject=MATCH, due_at=again, now=now)
            )

    return match
