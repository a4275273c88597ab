"""A dashboard page by name: the figures it shows for this viewer, systems and period (one read)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.content import Content
from bot.dashboard import figures
from bot.dashboard.access import Viewer
from bot.dashboard.figures import Period
from bot.dashboard.page import Page
from bot.people import service as people
from bot.privacy import person_data
from bot.readiness.checks import SystemReadiness, readiness
from bot.usage import days

NEEDS_READINESS = ("overview", "readiness")
NEEDS_USAGE_DAYS = ("overview", "funnel")  # they read usage by week: the per-day rollup first caught up


def assess(*, session: Session, content: Content, now: datetime) -> list[SystemReadiness]:
    """Readiness for the pages that show it, in a unit of work of its own: its checks may record what
    they find (people named in systems.yaml, met for the first time), which a read must not do."""
    return readiness(session=session, content=content, now=now)


def catch_up(*, session: Session, content: Content, now: datetime) -> None:
    """Roll up the finished days of usage not rolled up yet (a write: in a unit of work of its own)."""
    days.catch_up(session=session, systems=list(content.systems), now=now)


def build(
    name: str,
    *,
    session: Session,
    content: Content,
    settings: Settings,
    viewer: Viewer,
    systems: tuple[str, ...],
    period: Period,
    now: datetime,
    assessed: Sequence[SystemReadiness] = (),
) -> Page:
    if name == "overview":
        return figures.overview(
            session=session,
            content=content,
            systems=systems,
            period=period,
            min_group=settings.min_group_size,
            now=now,
            assessed=assessed,
        )
    if name == "funnel":
        return figures.funnel(
            session=session,
            content=content,
            systems=systems,
            period=period,
            min_group=settings.min_group_size,
        )
    if name == "escalations":
        return figures.escalations(
            session=session, content=content, settings=settings, systems=systems, period=period, now=now
        )
    if name == "friction":
        return figures.friction(session=session, content=content, systems=systems, period=period, now=now)
    if name == "announcements":
        return figures.announcements_page(
            session=session, systems=systems, everything=viewer.is_admin and len(systems) > 1, period=period
        )
    if name == "readiness":
        return figures.readiness_page(session=session, systems=systems, assessed=assessed)
    person = people.get(session=session, person_id=viewer.person_id)
    assert person is not None
    return figures.my_data(session=session, person=person, period=period)


def my_export(*, session: Session, viewer: Viewer) -> str:
    """Everything the coach holds about the viewer, as the privacy export gives it (JSON)."""
    person = people.get(session=session, person_id=viewer.person_id)
    assert person is not None
    return json.dumps(
        person_data.export(session=session, person=person), indent=2, ensure_ascii=False, sort_keys=True
    )
