"""The per-day usage rollup changes no figure: the overview and the adoption funnel are the same read
from the events alone and from the rollup, whatever the weeks' end (mid-day, midnight UTC, midnight in
another zone), after late events and after earlier usage is linked to a person the coach meets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, func, select

from bot.content import Content
from bot.dashboard.figures import Period, funnel, overview
from bot.dashboard.page import Page
from bot.demo.history import seed_history
from bot.people import service as people
from bot.store.db import Store
from bot.usage import days
from bot.usage import service as usage
from bot.usage.models import UsageDay, UsageDayMark
from bot.usage.parse import UsageIn

NOW = datetime(2026, 11, 23, 14, 37, 12, 345000, tzinfo=UTC)
ENDS = (NOW, datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 21, 18, 30, tzinfo=UTC))


def figures(content: Content) -> Callable[[Session], list[Page]]:
    def read(session: Session) -> list[Page]:
        found = []
        for end in ENDS:
            period = Period.ending(end, 8)
            systems = tuple(content.systems)
            found.append(
                overview(
                    session=session,
                    content=content,
                    systems=systems,
                    period=period,
                    min_group=3,
                    now=NOW,
                    assessed=(),
                )
            )
            found.append(
                funnel(session=session, content=content, systems=systems, period=period, min_group=3)
            )
        return found

    return read


class Undone(Exception):
    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages


def without_rollup(store: Store, content: Content) -> list[Page]:
    """The pages from the events alone (the rollup emptied, as before it existed), the rollup left as it was."""

    def read(session: Session) -> None:
        days.forget_all(session=session)
        raise Undone(figures(content)(session))  # rolled back

    try:
        store.run_sync(read)
    except Undone as undone:
        return undone.pages
    raise AssertionError("unreachable")


def test_the_rollup_changes_no_figure(store: Store, content: Content) -> None:
    store.run_sync(lambda s: seed_history(session=s, content=content, now=NOW, people=40, weeks=10))
    late = [
        UsageIn(
            id=f"late-{i}",
            person="newcomer@example.com",
            system=system,
            at=NOW - timedelta(days=i, hours=i),
            kind="minutes_saved" if i % 2 else "used",
            value=float(i) if i % 2 else None,
        )
        for i in range(1, 40)
        for system in content.systems
    ]
    store.run_sync(lambda s: usage.ingest(session=s, events=late, people={}, now=NOW))
    store.run_sync(lambda s: days.catch_up(session=s, systems=list(content.systems), now=NOW))
    assert store.run_sync(lambda s: s.exec(select(func.count()).select_from(UsageDay)).one()) > 100
    rolled = store.run_sync(figures(content))
    assert rolled == without_rollup(store, content)

    # Events arriving for days already rolled up, then the coach meets the person who sent them by handle:
    # their days are marked (read from events) until rolled up again.
    later = [replace(e, id=f"later-{e.id}", kind="minutes_saved", value=600.0) for e in late]
    store.run_sync(lambda s: usage.ingest(session=s, events=later, people={}, now=NOW))
    store.run_sync(lambda s: people.ensure_by_email(session=s, email="newcomer@example.com", now=NOW))
    assert store.run_sync(lambda s: s.exec(select(func.count()).select_from(UsageDayMark)).one()) > 0
    marked = store.run_sync(figures(content))
    assert marked == without_rollup(store, content) and marked != rolled
    store.run_sync(lambda s: days.catch_up(session=s, systems=list(content.systems), now=NOW))
    assert store.run_sync(lambda s: s.exec(select(func.count()).select_from(UsageDayMark)).one()) == 0
    assert store.run_sync(figures(content)) == marked
