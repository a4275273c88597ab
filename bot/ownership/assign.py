"""Give a role of a system to someone, with its backup: the one path for `owners set` in chat and the
dashboard's registry form, so both check the same things and leave the same audit entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.content import ROLES, Content
from bot.ownership import service
from bot.people import service as people
from bot.people.models import Person
from bot.turn import UserError

# Plausible, not RFC 5322: one @, a dot in the domain, nothing that belongs in markup or a list.
_EMAIL = re.compile(r"[^@\s<>\"'(),;:\\]+@[^@\s<>\"'(),;:\\]+\.[^@\s<>\"'(),;:\\]+")


@dataclass(frozen=True)
class Assigned:
    person: Person
    role: str
    system: str
    backup: str | None  # as given: None left the backup as it was, "" cleared it


def role_key(raw: str) -> str:
    return raw.strip().lower().replace("-", "_")


def assign(
    *,
    session: Session,
    content: Content,
    role: str,
    system: str,
    handle: str,
    backup: str | None,
    actor_id: int,
    now: datetime,
) -> Assigned:
    """Checks everything before changing anything; a problem is a `UserError` in plain words.
    `handle` is an email (or a platform id the coach knows); `backup` an email, `group:NAME`, "" to
    clear it, or None to keep it."""
    role = role_key(role)
    if role not in ROLES:
        raise UserError(f"Roles are: {', '.join(ROLES)}.")
    if system not in content.systems:
        raise UserError(f"I don't know the system {system!r}. Systems: {', '.join(content.systems)}.")
    if backup:
        backup = backup.strip().strip("<>").lower()
        if backup.startswith("group:"):
            if backup.removeprefix("group:") not in content.groups:
                raise UserError(f"There is no group {backup!r} in systems.yaml.")
        elif not _EMAIL.fullmatch(backup):
            raise UserError(f"A backup is an email or `group:NAME`, not {backup!r}.")
    handle = handle.strip().strip("<>").lstrip("@")  # a chat mention <@U123> is a platform id
    is_email = "@" in handle
    if is_email and not _EMAIL.fullmatch(handle):
        raise UserError(f"{handle!r} is not an email address.")
    person = people.find(session=session, handle=handle) if handle else None
    if person is None and is_email:
        person = people.ensure_by_email(session=session, email=handle, now=now)
    if person is None:
        raise UserError(f"I don't know {handle!r}. Use their email address.")
    service.set_role(
        session=session, system=system, role=role, person=person, backup=backup, actor_id=actor_id, now=now
    )
    return Assigned(person=person, role=role, system=system, backup=backup)
