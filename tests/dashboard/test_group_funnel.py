"""The adoption page counts each `groups:` entry of systems.yaml beside each system: a member at their
furthest stage in the shown systems, and a group smaller than the minimum group size withheld."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.content import Content
from bot.dashboard.figures import Period, funnel
from bot.dashboard.page import Page
from bot.people.models import Person
from bot.programmes.models import Enrolment
from bot.store.db import Store

END = datetime(2026, 11, 23, tzinfo=UTC)


def _with_second_programme(content: Content) -> Content:
    """A second programme for the same system, so one person can hold two enrolments in it."""
    first = next(p for p in content.programmes.values() if p.system == "assistant")
    second = first.model_copy(update={"key": "assistant-advanced"})
    return replace(content, programmes={**content.programmes, second.key: second})


def _seed(session: Session, content: Content) -> None:
    programme = next(p.key for p in content.programmes.values() if p.system == "assistant")
    stages = {"omar@example.com": "habitual", "bea@example.com": "activated", "ivan@example.com": "onboarded"}
    for email, stage in stages.items():
        person = Person(email=email, display_name=email.split("@")[0], created_at=END - timedelta(days=30))
        session.add(person)
        session.flush()
        assert person.id is not None
        session.add(
            Enrolment(
                person_id=person.id,
                programme_key=programme,
                version="1",
                stage=stage,
                stage_at=END - timedelta(days=10),
                enrolled_at=END - timedelta(days=20),
            )
        )
        if email == "omar@example.com":  # and a later enrolment at an earlier stage
            session.add(
                Enrolment(
                    person_id=person.id,
                    programme_key="assistant-advanced",
                    version="1",
                    stage="invited",
                    stage_at=END - timedelta(days=3),
                    enrolled_at=END - timedelta(days=3),
                )
            )


def _group_rows(page: Page, group: str) -> list[tuple[object, ...]]:
    section = next(s for s in page.sections if s.title.startswith(f"Group {group} "))
    return [tuple(r) for r in section.tables[0].rows]


def test_a_group_is_counted_by_its_members_furthest_stage(store: Store, content: Content) -> None:
    content = _with_second_programme(content)
    store.run_sync(lambda s: _seed(s, content))
    period = Period.ending(END, 4)
    with store.session() as session:
        page = funnel(session=session, content=content, systems=("assistant",), period=period, min_group=1)
        withheld = funnel(
            session=session, content=content, systems=("assistant",), period=period, min_group=5
        )
        pair = replace(content, groups={"pair": ("omar@example.com", "bea@example.com")})
        two = funnel(session=session, content=pair, systems=("assistant",), period=period, min_group=1)
    # week, enrolled, onboarded, activated, habitual, champion: enrolled 20 days ago, stages 10 days ago
    assert _group_rows(page, "ai-platform")[-1] == ("16 Nov", 3, 3, 2, 1, 0)
    assert _group_rows(page, "ai-platform")[0][1:] == (0, 0, 0, 0, 0)
    assert _group_rows(page, "legal-ops")[-1][1:] == (0, 0, 0, 0, 0)  # nobody in it is enrolled
    assert _group_rows(withheld, "ai-platform")[-1] == ("16 Nov", *(["fewer than 5"] * 4), 0)
    assert _group_rows(two, "pair")[-1] == ("16 Nov", 2, 2, 2, 1, 0)  # Omar once, though enrolled twice
    system = next(s for s in page.sections if s.title == "Compass (assistant)")
    assert system.tables[0].rows[-1] == ("16 Nov", 4, 3, 2, 1, 0)  # the system counts enrolments
