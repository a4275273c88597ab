"""The weekly outcomes report: each system's business owner gets its figures on Monday, in their hours.

Systems with nobody in the business-owner role go to the admins instead, so somebody always sees
them; each person gets one message for all of their systems, and systems with nothing to show yet
(no one enrolled, no usage, no reports, no flags) are left out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session

from bot import attention
from bot.config import Settings
from bot.content import Content
from bot.outcomes.messages import outcomes_message
from bot.outcomes.service import SystemOutcomes, outcomes
from bot.ownership import service as ownership
from bot.people import service as people
from bot.people.models import Person
from bot.policy.model import Kind
from bot.schedule import service as schedule
from bot.schedule.models import DueWork
from bot.schedule.ticker import Handler

WEEKLY = "outcomes.weekly"
WEEKS = 4


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    def weekly(session: Session, job: DueWork, now: datetime) -> None:
        send_weekly(session=session, content=content, settings=settings, now=now)
        job.due_at = schedule.next_monday(now)

    return {WEEKLY: weekly}


def send_weekly(*, session: Session, content: Content, settings: Settings, now: datetime) -> int:
    """Queue this week's reports; the number of people who get one."""
    found = outcomes(
        session=session, content=content, now=now, min_group=settings.min_group_size, weeks=WEEKS
    )
    shown = [s for s in found if not s.is_empty]
    readers: dict[int, Person] = {}
    systems_of: defaultdict[int, list[SystemOutcomes]] = defaultdict(list)
    for system in shown:
        owner = ownership.holder(session=session, system=system.key, role="business_owner")
        for person in [owner] if owner is not None else people.admins(session=session):
            assert person.id is not None
            readers[person.id] = person
            systems_of[person.id].append(system)
    policy = attention.of(session=session, settings=settings, content=content, now=now)
    for person_id, person in readers.items():
        policy.deliver(
            person,
            outcomes_message(systems_of[person_id], weeks=WEEKS),
            key=f"outcomes:weekly:{now:%Y-%m-%d}:{person_id}",
            kind=Kind.reminder,
        )
    return len(readers)


def ensure_scheduled(*, session: Session, now: datetime) -> None:
    """Called at start-up: the weekly job exists once."""
    schedule.ensure_once(
        session=session, kind=WEEKLY, subject=WEEKLY, due_at=schedule.next_monday(now), now=now
    )
