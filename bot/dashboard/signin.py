"""Sign-in without passwords: a one-time, short-lived signed link sent in chat opens a browser session.

The link carries a random nonce signed with the database's key (itsdangerous, timestamped): a forged
or altered link fails the signature, an old one its age, a used one the `used_at` its row got when it
was spent. Spending happens only on the landing page's POST (chat platforms and mail scanners GET links
to preview them), in the unit of work that creates the session, so two clicks cannot both spend it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, col, delete, select

from bot.dashboard.models import DashboardKey, DashboardLink, DashboardSession
from bot.people import service as people
from bot.people.models import Person

LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
_SALT = "dashboard-sign-in"


class Refused(StrEnum):
    invalid = "invalid"
    expired = "expired"
    used = "used"


class LinkRefused(Exception):
    def __init__(self, reason: Refused) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class Opened:
    token: str  # the session cookie's value: shown once, kept only as a hash
    csrf: str
    person_id: int
    expires_at: datetime


def signing_key(*, session: Session, now: datetime) -> str:
    """The database's signing key, made on first use (every process of a deployment shares it)."""
    row = session.exec(select(DashboardKey).order_by(col(DashboardKey.id))).first()
    if row is None:
        row = DashboardKey(secret=secrets.token_urlsafe(48), created_at=now)
        session.add(row)
        session.flush()
    return row.secret


def issue_link(*, session: Session, person_id: int, now: datetime) -> str:
    """A new sign-in token for `person_id` (the path part of the link), valid for LINK_LIFETIME."""
    nonce = secrets.token_urlsafe(24)
    session.add(
        DashboardLink(
            person_id=person_id, nonce_hash=_hash(nonce), created_at=now, expires_at=now + LINK_LIFETIME
        )
    )
    session.flush()
    return _serializer(session, now).dumps(nonce)


def check_link(*, session: Session, token: str, now: datetime) -> DashboardLink:
    """The link's row if it may still be spent; else LinkRefused (nothing is changed)."""
    try:
        nonce = _serializer(session, now).loads(token, max_age=int(LINK_LIFETIME.total_seconds()))
    except SignatureExpired as exc:
        raise LinkRefused(Refused.expired) from exc
    except BadSignature as exc:
        raise LinkRefused(Refused.invalid) from exc
    if not isinstance(nonce, str):
        raise LinkRefused(Refused.invalid)
    link = session.exec(select(DashboardLink).where(DashboardLink.nonce_hash == _hash(nonce))).first()
    if link is None:
        raise LinkRefused(Refused.invalid)
    if link.used_at is not None:
        raise LinkRefused(Refused.used)
    if link.expires_at <= now:
        raise LinkRefused(Refused.expired)
    return link


def spend_link(*, session: Session, token: str, now: datetime) -> Opened:
    """Spend the link and open a session for its person."""
    link = check_link(session=session, token=token, now=now)
    # A conditional update: of two concurrent spends only one changes the row.
    spent = session.connection().execute(
        DashboardLink.__table__.update()  # type: ignore[attr-defined]
        .where(DashboardLink.__table__.c.id == link.id, DashboardLink.__table__.c.used_at.is_(None))  # type: ignore[attr-defined]
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        raise LinkRefused(Refused.used)
    session.expire(link)
    return open_session(session=session, person_id=link.person_id, now=now)


def open_session(*, session: Session, person_id: int, now: datetime) -> Opened:
    """A new session for `person_id` (the link above, or the local demo's person picker); ended
    sessions and dead links go at the same time, so the tables stay as small as their live rows."""
    prune(session=session, now=now)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires = now + SESSION_LIFETIME
    session.add(
        DashboardSession(
            person_id=person_id, token_hash=_hash(token), csrf=csrf, created_at=now, expires_at=expires
        )
    )
    session.flush()
    return Opened(token=token, csrf=csrf, person_id=person_id, expires_at=expires)


def open_by_email(*, session: Session, email: str, now: datetime) -> Opened:
    """A session for the person with this email, known from now on if they were not (the local demo)."""
    person = people.ensure_by_email(session=session, email=email, now=now)
    assert person.id is not None
    return open_session(session=session, person_id=person.id, now=now)


def session_for(*, session: Session, token: str, now: datetime) -> tuple[DashboardSession, Person] | None:
    """The live session the cookie names, with its person (still active), or None."""
    if not token:
        return None
    row = session.exec(
        select(DashboardSession, Person)
        .join(Person, col(Person.id) == DashboardSession.person_id)
        .where(DashboardSession.token_hash == _hash(token))
    ).first()
    if row is None:
        return None
    found, person = row
    if found.expires_at <= now or not person.active:
        return None
    return found, person


def close_session(*, session: Session, token: str) -> None:
    session.exec(delete(DashboardSession).where(col(DashboardSession.token_hash) == _hash(token)))


def prune(*, session: Session, now: datetime) -> None:
    """Forget ended sessions and links no longer usable (a day after they expired)."""
    session.exec(delete(DashboardSession).where(col(DashboardSession.expires_at) < now))
    session.exec(delete(DashboardLink).where(col(DashboardLink.expires_at) < now - timedelta(days=1)))


def _serializer(session: Session, now: datetime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_key(session=session, now=now), salt=_SALT)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
