"""The friction page: reports by category and severity over time, themes, open against fixed, each report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from statistics import median

from sqlmodel import Session, col, select

from bot.content import Content
from bot.dashboard.figures.period import Period, per_week
from bot.dashboard.page import Card, Chart, Page, Section, Table
from bot.friction.models import FrictionReport
from bot.friction.models import Status as FrictionStatus
from bot.friction.themes import recurring_phrases

CLOSED = (FrictionStatus.fixed, FrictionStatus.wont_fix, FrictionStatus.closed)


def friction(
    *, session: Session, content: Content, systems: Sequence[str], period: Period, now: datetime
) -> Page:
    reports = session.exec(
        select(FrictionReport)
        .where(col(FrictionReport.system_key).in_(systems), FrictionReport.created_at >= period.start)
        .order_by(col(FrictionReport.created_at).desc())
    ).all()
    categories = {c.key: c.label for c in content.friction.categories}
    by_category = per_week(
        period,
        [(r.created_at, categories.get(r.category, r.category)) for r in reports],
        list(categories.values()),
    )
    severities = Counter((r.category, r.severity) for r in reports)
    severity_keys = [s.key for s in content.friction.severities]
    severity_table = Table(
        key="severities",
        title="Reports in the period by category and severity",
        columns=("category", *severity_keys, "total"),
        rows=tuple(
            (
                label,
                *(severities[(key, s)] for s in severity_keys),
                sum(severities[(key, s)] for s in severity_keys),
            )
            for key, label in categories.items()
        ),
    )
    closed = [r for r in reports if r.status in CLOSED]
    open_count = len(reports) - len(closed)
    fixed = [r for r in reports if r.status == FrictionStatus.fixed]
    close_days = [(r.updated_at - r.created_at).total_seconds() / 86400 for r in closed]
    cards = (
        Card("Reports in the period", str(len(reports))),
        Card("Open", str(open_count)),
        Card("Fixed", str(len(fixed))),
        Card("Median days to close", f"{median(close_days):.1f}" if close_days else "none closed"),
    )
    themes = recurring_phrases([f"{r.trying_to} {r.details}" for r in reports], limit=10)
    theme_table = Table(
        key="themes",
        title="Themes: phrases shared by several reports",
        columns=("phrase", "reports"),
        rows=tuple((p, n) for p, n in themes),
    )
    list_table = Table(
        key="reports",
        title="Reports (the reporter is never shown here)",
        columns=("report", "system", "category", "severity", "status", "filed", "last change", "trying to"),
        rows=tuple(
            (
                r.reference,
                r.system_key,
                categories.get(r.category, r.category),
                r.severity,
                str(r.status),
                period.local(r.created_at),
                period.local(r.updated_at),
                r.trying_to[:160],
            )
            for r in reports[:500]
        ),
        links=tuple(f"/dashboard/friction/{r.id}" for r in reports[:500]),
        note="The newest 500 in the period; the CSV has them too. Each report opens on a page of its own.",
    )
    chart = Chart(
        key="categories",
        title="Friction reports per week, by category",
        unit="reports",
        labels=period.labels(),
        series=by_category,
        kind="bar",
    )
    return Page(
        title="Friction",
        sections=(
            Section("In the period", cards=cards, charts=(chart,), tables=(severity_table,)),
            Section("Themes", tables=(theme_table,)),
            Section("Reports", tables=(list_table,)),
        ),
    )
