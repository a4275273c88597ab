"""Who the demo offers to be, each with the role the local chat shows next to their name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content import Content, System


@dataclass(frozen=True, kw_only=True)
class DemoPerson:
    email: str
    name: str
    role: str  # admin, owner or user: what the sidebar shows and the seeder gives
    note: str  # what they are in the demo, in a few words


ADMIN = DemoPerson(email="ada@example.com", name="Ada", role="admin", note="runs the rollout")
USER = DemoPerson(email="uma@example.com", name="Uma", role="user", note="uses the AI systems")


def example_system(content: Content) -> System | None:
    """The system the demo is about: the first one in systems.yaml (Compass in the shipped content)."""
    return next(iter(content.systems.values()), None)


def demo_people(content: Content) -> tuple[DemoPerson, ...]:
    """Ada, the example system's escalation owner, and Uma.

    The owner is whoever systems.yaml names (Omar in the shipped content), so that the person offered
    as an owner is the one the ownership registry was seeded with, whatever the content folder.
    """
    system = example_system(content)
    owner_email = system.role("escalation_owner").person if system is not None else None
    if system is None or not owner_email or owner_email in (ADMIN.email, USER.email):
        return (ADMIN, USER)
    owner = DemoPerson(
        email=owner_email,
        name=name_from_email(owner_email),
        role="owner",
        note=f"escalation owner of {system.name}",
    )
    return (ADMIN, owner, USER)


def name_for(email: str) -> str:
    """A demo person's name, else one made from the email's local part (`bea.smith` -> `Bea Smith`)."""
    for person in (ADMIN, USER):
        if person.email == email:
            return person.name
    return name_from_email(email)


def name_from_email(email: str) -> str:
    local = email.split("@", 1)[0]
    words = [w for w in re.split(r"[._+-]+", local) if w]
    return " ".join(w.capitalize() for w in words) or email
