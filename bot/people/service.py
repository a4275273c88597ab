"""Persistence for people and identities."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from bot.events import Actor
from bot.people.models import Identity, Person
from bot.schedule import service as schedule
from bot.usage import service as usage

MATCH = "people.match"  # due work: match people known only by email to platform identities (directory.py)

log = logging.getLogger(__name__)
HANDLES_PER_QUERY = 1_000  # an IN list of at most this many values


def get(*, session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)


def by_ids(*, session: Session, person_ids: Iterable[int]) -> dict[int, Person]:
    found = session.exec(select(Person).where(col(Person.id).in_(list(person_ids))))
    return {p.id: p for p in found if p.id is not None}


def ids_by_handle(*, session: Session, handles: Iterable[str]) -> dict[str, int]:
    """The people these handles (emails, platform user ids) name, as far as the coach knows them."""
    handles = set(handles)
    emails = [h for h in handles if "@" in h]
    user_ids = [h for h in handles if "@" not in h]
    found: dict[str, int] = {}
    for start in range(0, len(emails), HANDLES_PER_QUERY):
        for person_id, email in session.exec(
            select(Person.id, Person.email).where(
                col(Person.email).in_(emails[start : start + HANDLES_PER_QUERY])
            )
        ).all():
            if email and person_id is not None:
                found[email] = person_id
    for start in range(0, len(user_ids), HANDLES_PER_QUERY):
        for person_id, user_id in session.exec(
            select(Identity.person_id, Identity.user_id).where(
                col(Identity.user_id).in_(user_ids[start : start + HANDLES_PER_QUERY])
            )
        ).all():
            found[user_id] = person_id
    return found


_BY_EMAIL = select(Person).where(Person.email == bindparam("email"))  # built once: every first contact asks


def by_email(*, session: Session, email: str) -> Person | None:
    return session.exec(_BY_EMAIL, params={"email": email.strip().lower()}).first()


def identities(*, session: Session, person_id: int) -> Sequence[Identity]:
    return session.exec(select(Identity).where(Identity.person_id == person_id)).all()


def find(*, session: Session, handle: str) -> Person | None:
    """A person by email, by platform user id, or by `platform:user_id`."""
    handle = handle.strip().strip("<>@").lower()
    if "@" in handle:
        return by_email(session=session, email=handle)
    platform, _, user_id = handle.rpartition(":")
    # Exact, case-insensitive: a LIKE pattern would let `admins add %` match anybody.
    query = select(Identity).where(func.lower(col(Identity.user_id)) == user_id)
    if platform:
        query = query.where(Identity.platform == platform)
    identity = session.exec(query).first()
    return session.get(Person, identity.person_id) if identity else None


@dataclass(frozen=True)
class Resolved:
    person: Person
    identity: Identity
    is_new: bool  # a person the coach never heard of: created now
    first_contact: bool  # never talked to the coach before on any platform (new, or known only by email)
    newly_reachable: bool  # this identity can be reached now and could not before


# Built once: this runs for every inbound event, and building the statement cost more than running it.
_KNOWN_ACTOR = (
    select(Identity, Person)
    .join(Person, col(Person.id) == Identity.person_id)
    .where(
        Identity.platform == bindparam("platform"),
        Identity.workspace == bindparam("workspace"),
        Identity.user_id == bindparam("user_id"),
    )
)


def resolve(*, session: Session, actor: Actor, now: datetime, admin_handles: Iterable[str] = ()) -> Resolved:
    """The person behind an actor, created on first contact.

    People are matched across platforms by email when the platform gives one. Writes only what
    changed, so the common case (someone the bot knows, writing again) is one query. A new identity
    or a newly learned email claims the usage events sent for it before the coach knew the person.
    """
    found_pair = session.exec(
        _KNOWN_ACTOR,
        params={"platform": actor.platform, "workspace": actor.workspace, "user_id": actor.user_id},
    ).first()
    identity, known = found_pair if found_pair is not None else (None, None)
    email = actor.email.strip().lower() if actor.email else None
    is_new = first_contact = False
    was_reachable = identity is not None and identity.reachable and bool(identity.address)
    new_handles: set[str] = set()
    if identity is None:
        person = by_email(session=session, email=email) if email else None
        if person is None:
            # The profile's time zone in the INSERT: set afterwards by `_refresh`, it cost an UPDATE.
            person = Person(
                email=email, display_name=actor.display_name or "", timezone=actor.timezone, created_at=now
            )
            session.add(person)
            session.flush()
            is_new = True
        assert person.id is not None
        # Known by email only (an owner from systems.yaml, a demo person), this is still a first meeting.
        first_contact = is_new or not any(
            i.last_seen_at for i in identities(session=session, person_id=person.id)
        )
        identity = Identity(
            person_id=person.id, platform=actor.platform, workspace=actor.workspace, user_id=actor.user_id
        )
        session.add(identity)
        new_handles.update((actor.user_id, person.email or ""))
    else:
        assert known is not None
        person = known
        if identity.last_seen_at is None:  # matched from the directory, never heard from: a first meeting
            assert person.id is not None
            first_contact = not any(i.last_seen_at for i in identities(session=session, person_id=person.id))
    learnable = email
    if email and not person.email and (other := by_email(session=session, email=email)) is not None:
        # Someone enrolled by this email before this identity gave it: two rows for one human. The
        # email stays with the other row (a unique column; taking it would fail every later event).
        log.warning("person %s gave an email that person %s already has", person.id, other.id)
        learnable = None
    if _refresh(person=person, identity=identity, actor=actor, now=now, email=learnable):
        new_handles.add(person.email or "")
    handles = {h.lower() for h in admin_handles}
    if not person.is_admin and handles & {
        email or "",
        actor.user_id.lower(),
        f"{actor.platform}:{actor.user_id}".lower(),
    }:
        person.is_admin = True
    if is_new or session.dirty or session.new:
        session.flush()
    if new_handles:
        assert person.id is not None
        usage.link_person(session=session, person_id=person.id, handles=new_handles)
    return Resolved(
        person,
        identity,
        is_new,
        first_contact,
        identity.reachable and bool(identity.address) and not was_reachable,
    )


SEEN_EVERY = timedelta(hours=1)  # last_seen_at is for "who is active", not a per-message log


def _refresh(*, person: Person, identity: Identity, actor: Actor, now: datetime, email: str | None) -> bool:
    """Bring the person and identity up to date with the platform's profile; True if the email is new."""
    if actor.display_name and not person.display_name:
        person.display_name = actor.display_name
    learned_email = bool(email and not person.email)
    if learned_email:
        person.email = email
    if actor.timezone and person.timezone != actor.timezone:
        person.timezone = actor.timezone
    if actor.address and not _says_no_more(dict(actor.address), identity.address or {}):
        identity.address = dict(actor.address)
    if not identity.reachable:
        identity.reachable = True
    if identity.last_seen_at is None or now - identity.last_seen_at >= SEEN_EVERY:
        identity.last_seen_at = now
    return learned_email


def _says_no_more(new: Mapping[str, Any], stored: Mapping[str, Any]) -> bool:
    """Whether everything `new` says, `stored` says too: a roster's address for someone (Slack: no DM
    channel; Teams: no conversation id) must not replace the one their own conversation gave."""
    for key, value in new.items():
        known = stored.get(key)
        if isinstance(value, Mapping) and isinstance(known, Mapping):
            if not _says_no_more(value, known):
                return False
        elif value != known:
            return False
    return True


def ensure_by_email(*, session: Session, email: str, now: datetime, display_name: str = "") -> Person:
    """A person known only by email so far (enrolled or named as an owner before first contact)."""
    email = email.strip().lower()
    person = by_email(session=session, email=email)
    if person is None:
        person = Person(email=email, display_name=display_name, created_at=now)
        session.add(person)
        session.flush()
        assert person.id is not None
        usage.link_person(session=session, person_id=person.id, handles=(email,))
        schedule.upsert(session=session, kind=MATCH, subject=MATCH, due_at=now, now=now)  # find them
    return person


def addresses(*, session: Session, platform: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Addresses of reachable identities on a platform (most recently seen first), for health checks."""
    rows = session.exec(
        select(Identity.address)
        .where(Identity.platform == platform, col(Identity.reachable).is_(True))
        .order_by(col(Identity.last_seen_at).desc())
        .limit(limit)
    ).all()
    return [dict(address) for address in rows if address]


def admins(*, session: Session) -> Sequence[Person]:
    return session.exec(select(Person).where(col(Person.is_admin).is_(True))).all()


def reachable_identity(*, session: Session, person_id: int, prefer: str | None = None) -> Identity | None:
    """The identity to reach a person on: the preferred platform, else the most recently seen."""
    return reachable_identities(session=session, person_ids=[person_id], prefer=prefer).get(person_id)


def reachable_identities(
    *, session: Session, person_ids: Sequence[int], prefer: str | None = None
) -> dict[int, Identity]:
    """Each person's identity to reach them on (reachable, with an address): the preferred platform,
    else the most recently seen. One query for a whole fan-out chunk; people with none are left out."""
    if not person_ids:
        return {}
    found: dict[int, Identity] = {}
    rows = session.exec(
        select(Identity).where(
            col(Identity.person_id).in_(list(person_ids)), col(Identity.reachable).is_(True)
        )
    ).all()
    for identity in sorted(rows, key=lambda i: _preference(i, prefer)):
        if identity.address:
            found.setdefault(identity.person_id, identity)
    return found


def _preference(identity: Identity, prefer: str | None) -> tuple[bool, float]:
    return identity.platform != prefer, -(identity.last_seen_at.timestamp() if identity.last_seen_at else 0)


def readdress(
    *, session: Session, person_id: int, platform: str, old: dict[str, Any], new: dict[str, Any]
) -> bool:
    """The person's identity on `platform` that had address `old` is reached at `new` from now on (a
    Slack DM's channel id, learned at the first post): kept across restarts, so it is never opened
    again. False when no identity had `old`."""
    for identity in identities(session=session, person_id=person_id):
        if identity.platform == platform and dict(identity.address) == old:
            identity.address = dict(new)
            return True
    return False
