"""The readiness page: each system's checks with what to do, its owners and backups, its weekly score."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from bot.dashboard.page import Card, Chart, Page, Section, Series, Table
from bot.ownership import service as ownership
from bot.ownership.service import ROLE_LABELS
from bot.people.models import Person
from bot.readiness.checks import SystemReadiness
from bot.readiness.models import ReadinessWeek


def readiness_page(*, session: Session, systems: Sequence[str], assessed: Sequence[SystemReadiness]) -> Page:
    sections = []
    for found in assessed:
        if found.key not in systems:
            continue
        checks = Table(
            key=f"{found.key}-checks",
            title=f"{found.name}: checks",
            columns=("check", "ok", "what to do"),
            rows=tuple((c.name, "yes" if c.ok else "no", "" if c.ok else c.reason) for c in found.checks),
        )
        owners = []
        for assignment in ownership.assignments(session=session, system=found.key):
            holder = session.get(Person, assignment.person_id) if assignment.person_id else None
            owners.append(
                (
                    ROLE_LABELS.get(assignment.role, assignment.role),
                    (holder.display_name or holder.email or "") if holder else "nobody",
                    holder.email if holder and holder.email else "",
                    assignment.backup or "none",
                )
            )
        owners_table = Table(
            key=f"{found.key}-owners",
            title=f"{found.name}: owners and backups",
            columns=("role", "held by", "email", "backup"),
            rows=tuple(owners),
        )
        trend = _readiness_trend(session, found.key, found.name)
        sections.append(
            Section(
                f"{found.name} ({found.key})",
                cards=(Card("Readiness", f"{found.score}%"),),
                charts=(trend,) if trend else (),
                tables=(checks, owners_table),
            )
        )
    return Page(title="Readiness and ownership", sections=tuple(sections))


TREND_WEEKS = 12


def _readiness_trend(session: Session, key: str, name: str) -> Chart | None:
    """The score as the weekly gap check recorded it, over the last weeks it did (none yet: no chart)."""
    rows = session.exec(
        select(ReadinessWeek)
        .where(ReadinessWeek.system_key == key)
        .order_by(col(ReadinessWeek.week_start).desc())
        .limit(TREND_WEEKS)
    ).all()
    if not rows:
        return None
    rows = list(reversed(rows))
    return Chart(
        key=f"{key}-readiness-trend",
        title=f"{name}: readiness score per week",
        unit="%",
        labels=tuple(f"{r.week_start:%d %b}" for r in rows),
        series=(Series("readiness", tuple(float(r.score) for r in rows)),),
    )
