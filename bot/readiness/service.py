"""Readiness per week: the latest score of each week kept, and the trend read back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from sqlmodel import Session, col, select

from bot.readiness.checks import SystemReadiness
from bot.readiness.models import ReadinessWeek


def week_start(now: datetime) -> datetime:
    monday = now.date() - timedelta(days=now.weekday())
    return datetime.combine(monday, time.min, now.tzinfo)


def record_week(*, session: Session, systems: Sequence[SystemReadiness], now: datetime) -> None:
    """The week's row per system, its latest score (several reports in a week: the last one stands)."""
    start = week_start(now)
    kept = {
        r.system_key: r
        for r in session.exec(select(ReadinessWeek).where(ReadinessWeek.week_start == start)).all()
    }
    for item in systems:
        row = kept.get(item.key) or ReadinessWeek(
            system_key=item.key, week_start=start, score=0, recorded_at=now
        )
        row.score, row.failing, row.recorded_at = item.score, [c.name for c in item.failing], now
        session.add(row)
    session.flush()


def trend(*, session: Session, system: str, weeks: int = 12) -> list[tuple[datetime, int]]:
    """(week start, score) for the last `weeks` weeks with a record, oldest first."""
    rows = session.exec(
        select(ReadinessWeek)
        .where(ReadinessWeek.system_key == system)
        .order_by(col(ReadinessWeek.week_start).desc())
        .limit(weeks)
    ).all()
    return [(r.week_start, r.score) for r in reversed(rows)]
