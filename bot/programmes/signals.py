"""Usage signals reaching the programme: stages move and milestone steps fire as usage arrives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from bot.content import Content
from bot.programmes import scheduled, service
from bot.usage import service as usage
from bot.usage.parse import UsageIn


def record_usage(
    *, session: Session, events: Sequence[UsageIn], content: Content, now: datetime
) -> usage.IngestResult:
    """Store usage events, then refresh the programmes of the people they were about."""
    result = usage.ingest(session=session, events=events, now=now)
    for person_id in result.person_ids:
        for enrolment in service.enrolments_of(session=session, person_id=person_id):
            scheduled.refresh(session=session, enrolment=enrolment, content=content, now=now)
    return result
