"""The escalations page: open flags, service levels per system and owner, why outputs were flagged, the FAQ."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import Row
from sqlalchemy import select as rows_of
from sqlmodel import Session, col, select

from bot.attention import calendar_for
from bot.config import Settings
from bot.content import Content
from bot.dashboard.figures.period import Period, per_week
from bot.dashboard.page import Cell, Chart, Page, Section, Table
from bot.escalations.models import Escalation, FaqEntry
from bot.people.models import Person
from bot.policy.calendar import working_clock

REASONS = ("wrong", "unclear", "outdated", "harmful", "other")
FIELDS = (
    col(Escalation.id),
    col(Escalation.system_key),
    col(Escalation.reason),
    col(Escalation.owner_id),
    col(Escalation.created_at),
    col(Escalation.acknowledged_at),
    col(Escalation.answered_at),
    col(Escalation.answer_due_at),
)


def escalations(
    *,
    session: Session,
    content: Content,
    settings: Settings,
    systems: Sequence[str],
    period: Period,
    now: datetime,
) -> Page:
    # The columns the page shows, not whole rows: a year is 17,000 flags, each with its JSON context.
    flags = session.execute(
        rows_of(*FIELDS).where(
            col(Escalation.system_key).in_(systems), col(Escalation.created_at) >= period.start
        )
    ).all()
    still_open = session.execute(
        rows_of(*FIELDS)
        .where(col(Escalation.system_key).in_(systems), col(Escalation.answered_at).is_(None))
        .order_by(col(Escalation.created_at))
    ).all()
    owners = _owners(session, {f.owner_id for f in [*flags, *still_open] if f.owner_id})
    names = {i: p.display_name or p.email or f"person {i}" for i, p in owners.items()}
    # Each owner's own calendar (zone, shift, holidays), as their SLA deadlines were set by: the medians
    # then count the same working hours the SLA does. A flag nobody owns counts clock hours, as its SLA.
    calendars = {
        i: calendar_for(person=p, settings=settings, holidays=content.holidays) for i, p in owners.items()
    }
    open_table = Table(
        key="open-flags",
        title="Open flags, oldest first",
        columns=("flag", "system", "reason", "raised", "age (hours)", "owner", "acknowledged", "answer due"),
        rows=tuple(
            (
                f"E-{f.id}",
                f.system_key,
                f.reason,
                period.local(f.created_at),
                round((now - f.created_at).total_seconds() / 3600, 1),
                names.get(f.owner_id or 0, "nobody"),
                "yes" if f.acknowledged_at else "no",
                period.local(f.answer_due_at),
            )
            for f in still_open
        ),
    )
    per_owner: defaultdict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for f in flags:
        per_owner[(f.system_key, names.get(f.owner_id or 0, "nobody"))].append(f)
    sla_rows: list[tuple[Cell, ...]] = []
    for (system, owner), rows in sorted(per_owner.items()):
        calendar = calendars.get(rows[0].owner_id or 0)
        clock = None
        if calendar is not None:
            moments = [m for f in rows for m in (f.created_at, f.acknowledged_at, f.answered_at) if m]
            clock = working_clock(calendar, min(moments), max(moments))
        answered = [f for f in rows if f.answered_at]
        acked = [f for f in rows if f.acknowledged_at]
        within = [f for f in answered if f.answered_at and f.answered_at <= f.answer_due_at]
        sla_rows.append(
            (
                system,
                owner,
                len(rows),
                len(answered),
                f"{100 * len(within) / len(answered):.0f}%" if answered else "",
                _median_hours([(f.created_at, f.acknowledged_at) for f in acked], clock),
                _median_hours([(f.created_at, f.answered_at) for f in answered], clock),
            )
        )
    sla = Table(
        key="sla",
        title="SLA per system and owner, flags raised in the period",
        columns=(
            "system",
            "owner",
            "raised",
            "answered",
            "answered within SLA",
            "median working hours to acknowledge",
            "median working hours to answer",
        ),
        rows=tuple(sla_rows),
        note="Counted in the owner's working hours (their time zone, shift, weekends and holidays), as the "
        "SLA is; a flag nobody owns counts clock hours. The SLA is frozen on each flag when raised.",
    )
    reasons = per_week(
        period, [(f.created_at, f.reason if f.reason in REASONS else "other") for f in flags], REASONS
    )
    faq = session.exec(
        select(FaqEntry)
        .where(col(FaqEntry.system_key).in_(systems))
        .order_by(col(FaqEntry.created_at).desc())
    ).all()
    faq_table = Table(
        key="faq",
        title="The FAQ built from answers",
        columns=("system", "question", "answer", "published"),
        rows=tuple(
            (e.system_key, e.question or e.output_text[:200], e.answer, period.local(e.created_at))
            for e in faq
        ),
    )
    chart = Chart(
        key="reasons",
        title="Flags raised per week, by reason",
        unit="flags",
        labels=period.labels(),
        series=reasons,
        kind="bar",
    )
    return Page(
        title="Escalations",
        sections=(
            Section("Open flags", tables=(open_table,)),
            Section("Service levels", tables=(sla,)),
            Section("Why outputs were flagged", charts=(chart,)),
            Section("FAQ", tables=(faq_table,)),
        ),
        note="Who flagged an output is never shown here.",
    )


def _median_hours(
    pairs: Sequence[tuple[datetime, datetime | None]], clock: Callable[[datetime], timedelta] | None
) -> Cell:
    hours = [
        ((b - a) if clock is None else clock(b) - clock(a)).total_seconds() / 3600
        for a, b in pairs
        if b is not None
    ]
    return round(median(hours), 1) if hours else ""


def _owners(session: Session, ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    rows = session.exec(select(Person).where(col(Person.id).in_(ids))).all()
    return {p.id: p for p in rows if p.id is not None}
