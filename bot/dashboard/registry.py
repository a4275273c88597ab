"""The ownership registry as the readiness page's form: what an admin sees to edit, and the edit itself
(`ownership.assign`, the same path as `owners set` in chat, so the same checks and the same audit entry)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.content import ROLES, Content
from bot.dashboard.access import Viewer
from bot.ownership import assign, service
from bot.ownership.service import ROLE_LABELS
from bot.people.models import Person
from bot.turn import UserError


class NotAdmin(Exception):
    """Only admins change the registry (owners and users neither see the form nor may post it)."""


@dataclass(frozen=True)
class RoleRow:
    role: str
    label: str
    primary: str  # the holder's email ("" when nobody holds it or they are known by a chat id only)
    backup: str


@dataclass(frozen=True)
class SystemRoles:
    key: str
    name: str
    roles: tuple[RoleRow, ...]


def editable(
    *, session: Session, content: Content, viewer: Viewer, systems: Sequence[str]
) -> list[SystemRoles]:
    """Every role of each system shown, filled in with who holds it now; nothing for a non-admin."""
    if not viewer.is_admin:
        return []
    out = []
    for key in systems:
        system = content.systems.get(key)
        if system is None:
            continue
        rows = []
        for role in ROLES:
            row = service.assignment(session=session, system=key, role=role)
            holder = session.get(Person, row.person_id) if row and row.person_id else None
            rows.append(
                RoleRow(
                    role=role,
                    label=ROLE_LABELS[role],
                    primary=(holder.email or "") if holder else "",
                    backup=(row.backup or "") if row else "",
                )
            )
        out.append(SystemRoles(key=key, name=system.name, roles=tuple(rows)))
    return out


def edit(
    *,
    session: Session,
    content: Content,
    viewer: Viewer,
    system: str,
    role: str,
    primary: str,
    backup: str,
    now: datetime,
) -> str:
    """Saves one role from the form; answers what changed, in words. An empty backup clears it."""
    if not viewer.is_admin:
        raise NotAdmin
    if not primary.strip():
        raise UserError("Name the primary by their email address.")
    done = assign.assign(
        session=session,
        content=content,
        role=role,
        system=system,
        handle=primary,
        backup=backup.strip(),
        actor_id=viewer.person_id,
        now=now,
    )
    who = done.person.display_name or done.person.email or f"person {done.person.id}"
    backup_text = f"{done.backup} as backup" if done.backup else "no backup"
    return (
        f"{who} is now the {ROLE_LABELS[done.role]} of {content.systems[done.system].name}, "
        f"with {backup_text}. The change is in the audit trail."
    )
