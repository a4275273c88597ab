"""The demo's seeder: what the embedded default adds to its database at start-up, each step once.

A step that has run leaves an audit entry (`demo.seeded`, subject the step's name) and never runs
again on that database, so a restart adds no duplicates and takes back nothing changed in chat (an
admin removed with `admins remove` stays removed). A later step (example history, say) is one more
entry in `STEPS`; a database seeded before it existed gets just that step at its next start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.audit import service as audit
from bot.content import Content
from bot.demo import history
from bot.demo.people import demo_people
from bot.people import service as people

log = logging.getLogger(__name__)

SEEDED = "demo.seeded"


@dataclass(frozen=True)
class Step:
    name: str  # the audit subject that marks it done: never rename a step that has shipped
    run: Callable[[Session, Content, datetime], None]


def seed_people(session: Session, content: Content, now: datetime) -> None:
    """The demo people's roles, as the local chat shows them.

    The admin is made here. The owner holds the role systems.yaml gives them, seeded into the
    ownership registry before this runs (`ownership.service.seed_from_content`). The user needs
    nothing: they meet the coach like any newcomer, welcomed and enrolled on their first message.
    """
    for demo in demo_people(content):
        if demo.role != "admin":
            continue
        person = people.ensure_by_email(session=session, email=demo.email, now=now, display_name=demo.name)
        person.display_name = person.display_name or demo.name
        person.is_admin = True


def seed_history(session: Session, content: Content, now: datetime) -> None:
    """Twelve weeks of an example organisation's rollout, so the dashboard and `outcomes` have
    something to show on a new database (bot/demo/history.py)."""
    history.seed_history(session=session, content=content, now=now)


HISTORY = "demo:history"
STEPS: tuple[Step, ...] = (Step("demo:people", seed_people), Step(HISTORY, seed_history))


def reset(*, session: Session, content: Content, now: datetime) -> list[str]:
    """`coach demo reset`: the example history made again, ending now (the demo people keep their roles
    and conversations; what the example organisation's people had is replaced)."""
    history.remove_history(session=session)
    for entry in audit.for_subject(session=session, subject=HISTORY):
        if entry.action == SEEDED:
            session.delete(entry)
    session.flush()
    return seed(session=session, content=content, now=now)


def seed(*, session: Session, content: Content, now: datetime, steps: tuple[Step, ...] = STEPS) -> list[str]:
    """Run every step this database has not had yet, in order; the names of those run now."""
    ran: list[str] = []
    for step in steps:
        if has_run(session=session, step=step.name):
            continue
        step.run(session, content, now)
        audit.record(session=session, at=now, actor_person_id=None, action=SEEDED, subject=step.name)
        ran.append(step.name)
    session.flush()
    if ran:
        log.info("demo seeded: %s", ", ".join(ran))
    return ran


def has_run(*, session: Session, step: str) -> bool:
    """Whether this database has had the step (tests, and a later step that builds on an earlier)."""
    return any(e.action == SEEDED for e in audit.for_subject(session=session, subject=step))
