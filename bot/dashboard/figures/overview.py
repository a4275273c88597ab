"""The overview page: per AI system, this week against last, each figure with its trend (from `outcomes`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from bot.content import Content
from bot.dashboard.figures.period import Period, as_number
from bot.dashboard.page import Card, Chart, Page, Section, Series
from bot.outcomes.service import SystemOutcomes, outcomes
from bot.readiness.checks import SystemReadiness


def overview(
    *,
    session: Session,
    content: Content,
    systems: Sequence[str],
    period: Period,
    min_group: int,
    now: datetime,
    assessed: Sequence[SystemReadiness],  # readiness, worked out in a unit of work of its own
) -> Page:
    ready = {r.key: r for r in assessed if r.key in systems}
    sections = []
    for key in systems:
        found = outcomes(
            session=session,
            content=content,
            now=period.end,
            min_group=min_group,
            weeks=period.weeks,
            system=key,
        )[0]
        sections.append(_overview_section(found, content, period, ready[key].score if key in ready else None))
    return Page(
        title="Overview",
        sections=tuple(sections),
        note="A week is 7 days ending at the period's end. Time saved measured comes from the system's usage "
        "events; estimated from people's answers to the programme's time-saved question. "
        f"Counts of fewer than {min_group} people are withheld.",
    )


def _overview_section(found: SystemOutcomes, content: Content, period: Period, score: int | None) -> Section:
    k = found.min_group
    this = found.weeks[-1]
    last = found.weeks[-2] if len(found.weeks) > 1 else None
    case = content.systems[found.key].business_case

    def people(n: int | None) -> str:
        return f"fewer than {k}" if n is None else str(n)

    def hours(minutes: float | None) -> str:
        return "withheld" if minutes is None else f"{minutes / 60:,.1f} h"

    cards = [
        Card("Active users this week", people(this.active_users), people(last.active_users) if last else ""),
        Card("Habitual users now", people(found.habitual), note=f"of {people(found.enrolled)} enrolled"),
        Card(
            "Time saved, measured",
            hours(this.minutes_measured),
            hours(last.minutes_measured) if last else "",
            note="from usage events",
        ),
        Card(
            "Time saved, estimated",
            hours(this.minutes_estimated),
            hours(last.minutes_estimated) if last else "",
            note="people's own answers",
        ),
    ]
    if case is not None:
        value = this.hours_saved * case.hourly_cost
        before = f"{last.hours_saved * case.hourly_cost:,.0f} {case.currency}" if last else ""
        target = ""
        if case.target_hours_per_week:
            target = f"target {case.target_hours_per_week:,.0f} h a week ({case.target_hours_per_week * case.hourly_cost:,.0f} {case.currency})"
        cards.append(
            Card(
                "Value of time saved",
                f"{value:,.0f} {case.currency}",
                before,
                note=f"at {case.hourly_cost:,.0f} {case.currency} an hour; {target}".rstrip("; "),
            )
        )
    cards += [
        Card("Open flags", str(found.flags_open)),
        Card("Open friction reports", str(found.friction_open)),
        Card("Readiness", "unknown" if score is None else f"{score}%"),
    ]
    labels = period.labels()
    charts = (
        Chart(
            key=f"{found.key}-active",
            title=f"{found.name}: active users per week",
            unit="people",
            labels=labels,
            series=(Series("active users", tuple(as_number(w.active_users) for w in found.weeks)),),
        ),
        Chart(
            key=f"{found.key}-hours",
            title=f"{found.name}: hours saved per week",
            unit="hours",
            labels=labels,
            series=(
                Series("measured", tuple(round(w.minutes_measured / 60, 1) for w in found.weeks)),
                Series(
                    "estimated",
                    tuple(
                        None if w.minutes_estimated is None else round(w.minutes_estimated / 60, 1)
                        for w in found.weeks
                    ),
                ),
            ),
            kind="bar",
            target=case.target_hours_per_week if case else None,
        ),
        Chart(
            key=f"{found.key}-issues",
            title=f"{found.name}: flags and friction reports per week",
            unit="reports",
            labels=labels,
            series=(
                Series("flags raised", tuple(float(w.flags_raised) for w in found.weeks)),
                Series("friction reports", tuple(float(w.friction_new) for w in found.weeks)),
            ),
        ),
    )
    return Section(title=f"{found.name} ({found.key})", cards=tuple(cards), charts=charts)
