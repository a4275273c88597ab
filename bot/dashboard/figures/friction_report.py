"""One friction report's own page (/dashboard/friction/ID), linked from the friction page's list.

Who may open it: admins, the owners of its system, and the person who filed it; anyone else is told it
does not exist, so an id typed into a URL reveals nothing. The reporter is never named: the page says
"you" to the reporter and nothing about them to anyone else, whether or not they filed anonymously.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.content import Content
from bot.dashboard.access import Viewer
from bot.dashboard.figures.period import Period
from bot.dashboard.page import Cell
from bot.friction.models import FrictionReport
from bot.people.models import Person

NOT_SHOWN = "not shown: the dashboard never says who filed a report"


@dataclass(frozen=True)
class ReportView:
    title: str
    fields: tuple[tuple[str, Cell], ...]
    merged_into: int | None  # the report this one was merged into, linked


def friction_report(
    *, session: Session, content: Content, viewer: Viewer, report_id: int, period: Period
) -> ReportView | None:
    """The report as `viewer` may see it, or None when there is none they may open."""
    report = session.get(FrictionReport, report_id)
    if report is None:
        return None
    mine = report.reporter_id == viewer.person_id
    if not (viewer.is_admin or viewer.may_see(report.system_key) or mine):
        return None
    categories = {c.key: c.label for c in content.friction.categories}
    system = content.systems.get(report.system_key)
    owner = session.get(Person, report.owner_id) if report.owner_id else None
    fields: list[tuple[str, Cell]] = [
        ("system", f"{system.name} ({report.system_key})" if system else report.system_key),
        ("category", categories.get(report.category, report.category)),
        ("severity", report.severity + (" (urgent)" if report.urgent else "")),
        ("status", str(report.status)),
        ("filed", period.local(report.created_at)),
        ("last change", period.local(report.updated_at)),
        ("handled by", (owner.display_name or owner.email) if owner else "nobody yet"),
        ("trying to", report.trying_to),
        ("details", report.details or "none given"),
        ("filed by", "you" if mine else NOT_SHOWN),
    ]
    if report.reason:
        fields.append(("why not fixed", report.reason))
    if report.better is not None:
        fields.append(("better now, says the reporter", "yes" if report.better else "no"))
    return ReportView(
        title=f"Friction report {report.reference}", fields=tuple(fields), merged_into=report.merged_into
    )
