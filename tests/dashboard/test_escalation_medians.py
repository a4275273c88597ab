"""The escalations page's median times to acknowledge and answer count the owner's working hours (their
zone, shift and weekends), the arithmetic their SLA deadlines are set by; a flag nobody owns counts
clock hours, as its SLA does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.content import Content
from bot.dashboard.figures import Period, escalations
from bot.escalations.models import Escalation
from bot.people.models import Person
from bot.store.db import Store

END = datetime(2026, 11, 23, tzinfo=UTC)
BERLIN = timedelta(hours=1)  # Berlin is UTC+1 in November


def _local(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC) - BERLIN


def _seed(session: Session) -> None:
    made = END - timedelta(days=60)
    owner = Person(email="lena@example.com", display_name="Lena", timezone="Europe/Berlin", created_at=made)
    flagger = Person(email="uma@example.com", display_name="Uma", created_at=made)
    session.add_all([owner, flagger])
    session.flush()
    assert owner.id is not None and flagger.id is not None
    flags = [
        # Friday 16:00 to Monday 10:00 is two working hours (not 66 on the clock); answered by 16:00: eight.
        (owner.id, _local(13, 16), _local(16, 10), _local(16, 16)),
        # Tuesday 10:00, acknowledged at 11:00 (one), answered at 15:00 (five).
        (owner.id, _local(17, 10), _local(17, 11), _local(17, 15)),
        # Nobody owns it: a day and an hour on the clock, weekend or not.
        (None, _local(20, 10), _local(21, 11), None),
    ]
    for owner_id, raised, acknowledged, answered in flags:
        session.add(
            Escalation(
                system_key="assistant",
                flagger_id=flagger.id,
                owner_id=owner_id,
                reason="wrong",
                output_text="an answer",
                acknowledge_hours=4,
                answer_hours=16,
                acknowledge_due_at=raised + timedelta(days=1),
                answer_due_at=raised + timedelta(days=3),
                created_at=raised,
                acknowledged_at=acknowledged,
                answered_at=answered,
            )
        )


def test_medians_count_the_owners_working_hours(store: Store, content: Content, settings: Settings) -> None:
    store.run_sync(_seed)
    with store.session() as session:
        page = escalations(
            session=session,
            content=content,
            settings=settings,
            systems=("assistant",),
            period=Period.ending(END, 4),
            now=END,
        )
    sla = next(s for s in page.sections if s.title == "Service levels").tables[0]
    assert sla.columns[-2:] == ("median working hours to acknowledge", "median working hours to answer")
    rows = {row[1]: row for row in sla.rows}
    assert rows["Lena"][2:] == (2, 2, "100%", 1.5, 6.5)
    assert rows["nobody"][2:] == (1, 0, "", 25.0, "")
