"""Who an audience means: a query of person ids, walked in chunks by id, and its reach.

Kinds: everyone; `programme KEY`; `stage STAGE`; `system_users SYSTEM` (usage signals);
`reporters SYSTEM` (people who flagged or reported friction on it, when those domains exist);
`channel ID` (one post in a channel); `people EMAILS`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func
from sqlmodel import Session, col, select

from bot.content import STAGES, Content
from bot.escalations import service as escalations
from bot.friction import service as friction
from bot.people import service as people
from bot.people.models import Identity, Person
from bot.programmes.models import Enrolment
from bot.usage.models import UsageEvent

KINDS = ("everyone", "programme", "stage", "system_users", "reporters", "channel", "people")
NEEDS_PARAM = frozenset(KINDS) - {"everyone"}
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")

# Where people who flagged outputs or reported friction may live, and the columns that may name them.


class AudienceError(ValueError):
    """An audience that cannot be resolved, said in plain words for the field that holds it."""


@dataclass(frozen=True)
class Audience:
    kind: str
    param: str = ""

    @property
    def label(self) -> str:
        return self.kind if not self.param else f"{self.kind} {self.param}"


def parse(*, kind: str, param: str, content: Content) -> Audience:
    """Check an audience against content; raise AudienceError naming what is wrong."""
    kind = kind.strip().lower()
    param = param.strip()
    if kind not in KINDS:
        raise AudienceError(f"Choose one of: {', '.join(KINDS)}.")
    if kind in NEEDS_PARAM and not param:
        raise AudienceError(f"`{kind}` needs a parameter (see the hint).")
    if kind == "programme" and param not in content.programmes:
        raise AudienceError(f"No programme {param!r}; known: {', '.join(sorted(content.programmes))}.")
    if kind == "stage" and param not in STAGES:
        raise AudienceError(f"No stage {param!r}; stages are {', '.join(STAGES)}.")
    if kind in ("system_users", "reporters") and param not in content.systems:
        raise AudienceError(f"No system {param!r}; known: {', '.join(sorted(content.systems))}.")
    if kind == "people":
        emails = emails_in(param)
        bad = [e for e in emails if not EMAIL.match(e)]
        if bad or not emails:
            raise AudienceError(f"Not an email address: {', '.join(bad) or param}.")
        param = ", ".join(emails)
    return Audience(kind, "" if kind == "everyone" else param)


def emails_in(param: str) -> list[str]:
    return [e.strip().lower() for e in re.split(r"[,;\s]+", param) if e.strip()]


def prepare(*, session: Session, audience: Audience, now: datetime) -> None:
    """An explicit list names people the bot may not know yet: create them, so they are counted as
    unreachable (and get the message once they first talk to the bot) instead of being dropped."""
    if audience.kind == "people":
        for email in emails_in(audience.param):
            people.ensure_by_email(session=session, email=email, now=now)


def _member_filter(session: Session, audience: Audience) -> ColumnElement[bool] | None:
    """A condition on Person.id; None means everyone active."""
    kind, param = audience.kind, audience.param
    if kind == "everyone":
        return None
    if kind == "programme":
        return col(Person.id).in_(select(Enrolment.person_id).where(Enrolment.programme_key == param))
    if kind == "stage":
        return col(Person.id).in_(select(Enrolment.person_id).where(Enrolment.stage == param))
    if kind == "system_users":
        return col(Person.id).in_(
            select(UsageEvent.person_id).where(
                UsageEvent.system_key == param, col(UsageEvent.person_id).is_not(None)
            )
        )
    if kind == "people":
        return func.lower(col(Person.email)).in_(emails_in(param))
    if kind == "reporters":
        flagged = col(Person.id).in_(escalations.flaggers_of(system=param))
        return flagged | col(Person.id).in_(friction.reporters_of(system=param))
    raise AudienceError(f"{kind} has no members (it is a channel)")


def _query(session: Session, audience: Audience) -> Select[Any]:
    query = select(Person.id).where(col(Person.active).is_(True))
    condition = _member_filter(session, audience)
    return query if condition is None else query.where(condition)


def chunk(*, session: Session, audience: Audience, after_id: int, limit: int) -> Sequence[Person]:
    """The next `limit` members with an id above `after_id`, in id order (a resumable walk)."""
    ids = _query(session, audience).where(col(Person.id) > after_id).order_by(col(Person.id)).limit(limit)
    return session.exec(select(Person).where(col(Person.id).in_(ids)).order_by(col(Person.id))).all()


# An identity the fan-out can deliver to (`bulk`): reachable and with an address. Someone seen only in
# a Teams channel is reachable there but has no personal chat to be sent an announcement in.
REACHABLE = (
    col(Identity.reachable).is_(True),
    cast(col(Identity.address), String).not_in(["{}", "null"]),
)


def members_after(*, session: Session, audience: Audience, after_id: int) -> Sequence[tuple[Person, bool]]:
    """Every member with an id above `after_id` (those a fan-out has not reached), and whether the bot
    can reach them; for reports, so without chunks."""
    if audience.kind == "channel":
        return []
    ids = _query(session, audience).where(col(Person.id) > after_id)
    reachable = set(
        session.exec(select(Identity.person_id).where(col(Identity.person_id).in_(ids), *REACHABLE)).all()
    )
    found = session.exec(select(Person).where(col(Person.id).in_(ids)).order_by(col(Person.id))).all()
    return [(person, person.id in reachable) for person in found]


@dataclass(frozen=True)
class Reach:
    recipients: int
    unreachable: int


def reach(*, session: Session, audience: Audience, after_id: int = 0) -> Reach:
    """How many people the audience holds (those with an id above `after_id`: the part a fan-out has not
    reached yet), and how many of them the bot cannot reach yet."""
    if audience.kind == "channel":
        return Reach(1, 0)
    members = _query(session, audience).where(col(Person.id) > after_id).subquery()
    total = session.exec(select(func.count()).select_from(members)).one()
    reachable = select(Identity.person_id).where(*REACHABLE)
    unreachable = session.exec(
        select(func.count()).select_from(members).where(col(members.c.id).not_in(reachable))
    ).one()
    return Reach(int(total), int(unreachable))
