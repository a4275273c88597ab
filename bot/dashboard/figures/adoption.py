"""The adoption page: each system's funnel (enrolled to champion) week by week, and retention by enrolment week."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import union
from sqlmodel import Session, col, select

from bot.content import STAGES, Content
from bot.dashboard.figures.period import Period, as_number, few, withheld
from bot.dashboard.page import Cell, Chart, Page, Section, Series, Table
from bot.outcomes.service import WEEK
from bot.people.models import Person
from bot.programmes.models import Enrolment
from bot.store.weeks import week_of
from bot.usage import days
from bot.usage.models import UsageDay, UsageEvent


def funnel(
    *, session: Session, content: Content, systems: Sequence[str], period: Period, min_group: int
) -> Page:
    sections = []
    for key in systems:
        programmes = [p.key for p in content.programmes.values() if p.system == key]
        rows = (
            session.exec(
                select(Enrolment.person_id, Enrolment.stage, Enrolment.stage_at, Enrolment.enrolled_at).where(
                    col(Enrolment.programme_key).in_(programmes)
                )
            ).all()
            if programmes
            else []
        )
        name = content.systems[key].name
        if not programmes:  # nobody can be enrolled in it: nothing to count, say so instead
            sections.append(
                Section(f"{name} ({key})", note="No programme in content/programmes is for this system yet.")
            )
            continue
        sections.append(_funnel_section(session, key, name, rows, period, min_group))
    sections.extend(_group_sections(session, content, systems, period, min_group))
    return Page(
        title="Adoption funnel",
        sections=tuple(sections),
        note="Stages: enrolled, then onboarded, activated, habitual, champion. A person counts at the stage "
        "they have reached by a week's end, as far as the coach knows now (the day they reached their "
        "current stage is kept). Retention: of the people enrolled in a week, the share who used the "
        f"system in each later week. A group from systems.yaml counts its members' furthest stage in the "
        f"systems shown. Groups of fewer than {min_group} people are withheld.",
    )


def _funnel_section(
    session: Session,
    key: str,
    name: str,
    rows: Sequence[tuple[int, str, datetime, datetime]],
    period: Period,
    min_group: int,
) -> Section:
    table, chart = _stages_by_week(key, name, rows, period, min_group)
    return Section(
        title=f"{name} ({key})",
        charts=(chart,),
        tables=(table, _cohorts(session, key, name, rows, period, min_group)),
    )


def _group_sections(
    session: Session, content: Content, systems: Sequence[str], period: Period, min_group: int
) -> list[Section]:
    """Each `groups:` entry of systems.yaml as people: a member enrolled in several of the shown systems'
    programmes counts once, at their furthest stage (and from their first enrolment)."""
    programmes = [p.key for p in content.programmes.values() if p.system in systems]
    order: dict[str, int] = {s: i for i, s in enumerate(STAGES)}
    sections = []
    for group, emails in sorted(content.groups.items()):
        rows = (
            session.exec(
                select(Enrolment.person_id, Enrolment.stage, Enrolment.stage_at, Enrolment.enrolled_at)
                .join(Person, col(Person.id) == col(Enrolment.person_id))
                .where(col(Enrolment.programme_key).in_(programmes), col(Person.email).in_(emails))
            ).all()
            if programmes and emails
            else []
        )
        furthest: dict[int, tuple[int, str, datetime, datetime]] = {}
        for person_id, stage, at, enrolled in rows:
            kept = furthest.get(person_id)
            if kept is None:
                furthest[person_id] = (person_id, stage, at, enrolled)
                continue
            first = min(kept[3], enrolled)
            if order.get(stage, 0) > order.get(kept[1], 0):
                furthest[person_id] = (person_id, stage, at, first)
            else:
                furthest[person_id] = (*kept[:3], first)
        table, chart = _stages_by_week(
            f"group-{group}", f"Group {group}", list(furthest.values()), period, min_group
        )
        sections.append(
            Section(title=f"Group {group} ({len(emails)} members)", charts=(chart,), tables=(table,))
        )
    return sections


def _stages_by_week(
    key: str, name: str, rows: Sequence[tuple[int, str, datetime, datetime]], period: Period, min_group: int
) -> tuple[Table, Chart]:
    stages = ("enrolled", *STAGES[1:])
    order: dict[str, int] = {s: i for i, s in enumerate(STAGES)}
    windows = period.windows()
    labels = period.labels()
    # Sorted times and a bisection per week: a year of 5,000 people is 260,000 comparisons otherwise.
    enrolled = sorted(e for *_, e in rows)
    reached = {
        stage: sorted(at for _, now_stage, at, _ in rows if order.get(now_stage, 0) >= order[stage])
        for stage in STAGES[1:]
    }
    by_week: list[list[int | None]] = []
    for _start, end in windows:
        counts = [bisect_left(enrolled, end), *(bisect_left(reached[stage], end) for stage in STAGES[1:])]
        by_week.append([few(n, min_group) for n in counts])
    table = Table(
        key=f"{key}-funnel",
        title=f"{name}: people at each stage by the week's end",
        columns=("week", *stages),
        rows=tuple(
            (labels[i], *(withheld(n, min_group) for n in counts)) for i, counts in enumerate(by_week)
        ),
    )
    chart = Chart(
        key=f"{key}-funnel-chart",
        title=f"{name}: people at each stage, week by week",
        unit="people",
        labels=labels,
        series=tuple(
            Series(stage, tuple(as_number(c[i]) for c in by_week)) for i, stage in enumerate(stages)
        ),
    )
    return table, chart


def _cohorts(
    session: Session,
    key: str,
    name: str,
    rows: Sequence[tuple[int, str, datetime, datetime]],
    period: Period,
    min_group: int,
) -> Table:
    windows = period.windows()
    cohorts: defaultdict[int, set[int]] = defaultdict(set)
    for person_id, _stage, _at, enrolled in rows:
        if period.start <= enrolled < period.end:
            cohorts[int((enrolled - period.start) / WEEK)].add(person_id)
    # Of each enrolment week's people, how many used the system in each week: the distinct (week, person)
    # pairs from the events and the per-day rollup (whole days), each counted for its person's enrolment
    # weeks here. Joined to enrolments in SQL instead, PostgreSQL with stale statistics scanned the pairs
    # once per enrolled person (46 s for a year).
    span = days.cover(session=session, system=key, start=period.start, end=period.end)
    used = union(
        select(week_of(col(UsageEvent.at), period.start), col(UsageEvent.person_id)).where(span.events),
        select(span.week_of_day(), col(UsageDay.person_id)).where(span.days),
    )
    enrolled_in: defaultdict[int, list[int]] = defaultdict(list)
    for i, members in cohorts.items():
        for person_id in members:
            enrolled_in[person_id].append(i)
    retained: Counter[tuple[int, int]] = Counter()
    for week, person_id in session.execute(used).all():
        for i in enrolled_in.get(person_id, ()):
            retained[(i, int(week))] += 1
    offsets = min(period.weeks, 12)
    table_rows: list[tuple[Cell, ...]] = []
    for i, label in enumerate(period.labels()):
        members = cohorts.get(i, set())
        if not members:
            continue
        if len(members) < min_group:
            table_rows.append((label, f"fewer than {min_group}", *([""] * offsets)))
            continue
        shares: list[Cell] = []
        for offset in range(offsets):
            week = i + offset
            if week >= len(windows):
                shares.append("")
            else:
                shares.append(f"{100 * retained.get((i, week), 0) / len(members):.0f}%")
        table_rows.append((label, len(members), *shares))
    return Table(
        key=f"{key}-cohorts",
        title=f"{name}: retention by enrolment week",
        columns=("enrolled in week", "people", *(f"week {n}" for n in range(offsets))),
        rows=tuple(table_rows),
        note="Week 0 is the week of enrolment.",
    )


def _within(column: Any, period: Period) -> Iterable[Any]:
    return (column >= period.start, column < period.end)
