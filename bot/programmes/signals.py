"""Usage signals reaching the programme: stages move and milestone steps fire as usage arrives.

Ingest stores the events and leaves one due job naming the people they were about; the ticker then
refreshes those people's programmes in the background, so a large upload is acknowledged at the
speed of an insert.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from bot.content import Content
from bot.people import service as people
from bot.programmes import due, service
from bot.schedule import service as schedule
from bot.schedule.models import DueWork
from bot.usage import service as usage
from bot.usage.parse import UsageIn

REFRESH = "usage.refresh"


def record_usage(
    *, session: Session, events: Sequence[UsageIn], content: Content, now: datetime
) -> usage.IngestResult:
    """Store usage events and queue a refresh of the programmes of the people they were about."""
    handles = people.ids_by_handle(session=session, handles={e.person for e in events})
    result = usage.ingest(session=session, events=events, people=handles, now=now)
    if result.person_ids:
        schedule.upsert(
            session=session,
            kind=REFRESH,
            subject=f"{REFRESH}:{uuid.uuid4().hex}",
            due_at=now,
            now=now,
            payload={"people": sorted(result.person_ids)},
        )
    return result


def refresh_people(*, session: Session, job: DueWork, now: datetime, content: Content) -> None:
    for person_id in job.payload.get("people", []):
        for enrolment in service.enrolments_of(session=session, person_id=int(person_id)):
            due.refresh(session=session, enrolment=enrolment, content=content, now=now)
    schedule.finish(job=job, now=now)
