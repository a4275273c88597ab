"""Who sees what on the dashboard: admins everything, owners their systems, everyone their own page.

An owner is anyone holding one of a system's six roles, as the primary or as a backup (a backup may
be a group from systems.yaml). The pages ask `Viewer.may_see(system)` before reading a system's
figures, so a system key typed into a URL is refused like one not linked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot.content import Content
from bot.ownership.models import RoleAssignment
from bot.people.models import Person


@dataclass(frozen=True)
class Viewer:
    person_id: int
    name: str
    email: str | None
    is_admin: bool
    systems: tuple[str, ...]  # the systems whose pages they may open, in systems.yaml's order
    timezone: str

    @property
    def sees_programme(self) -> bool:
        """Admins and owners see the programme pages; everyone else only their own data page."""
        return self.is_admin or bool(self.systems)

    def may_see(self, system: str) -> bool:
        return system in self.systems


def viewer(*, session: Session, content: Content, person: Person, default_timezone: str) -> Viewer:
    assert person.id is not None
    if person.is_admin:
        systems = tuple(content.systems)
    else:
        systems = owned_systems(session=session, content=content, person=person)
    return Viewer(
        person_id=person.id,
        name=person.display_name or person.email or f"person {person.id}",
        email=person.email,
        is_admin=person.is_admin,
        systems=systems,
        timezone=person.effective_timezone or default_timezone,
    )


def owned_systems(*, session: Session, content: Content, person: Person) -> tuple[str, ...]:
    """The systems where `person` holds a role or backs one up (in person or through a group)."""
    mine: set[str] = set()
    for row in session.exec(select(RoleAssignment)).all():
        if row.person_id == person.id or (person.email and person.email in content.members(row.backup)):
            mine.add(row.system_key)
    return tuple(key for key in content.systems if key in mine)
