"""Friction reports as CSV for admins: an anonymous report's reporter column says "anonymous".

Written by `bot.csv_export`, so a cell a spreadsheet would run as a formula is text.
"""

from __future__ import annotations

from sqlmodel import Session

from bot import csv_export
from bot.friction import messages as m
from bot.friction import service
from bot.people.models import Person

COLUMNS = (
    "reference",
    "created_at",
    "system",
    "category",
    "severity",
    "status",
    "merged_into",
    "reporter",
    "trying_to",
    "details",
    "reason",
    "better",
)


def rows(*, session: Session) -> list[list[str]]:
    out = []
    for report in service.all_reports(session=session):
        reporter = session.get(Person, report.reporter_id)
        who = "anonymous" if report.anonymous else (reporter.email or m.name_of(reporter)) if reporter else ""
        out.append(
            [
                "" if v is None else str(v)
                for v in (
                    report.reference,
                    csv_export.moment(report.created_at),
                    report.system_key,
                    report.category,
                    report.severity,
                    report.status.value,
                    f"FR-{report.merged_into}" if report.merged_into else "",
                    who,
                    report.trying_to,
                    report.details,
                    report.reason,
                    "" if report.better is None else ("yes" if report.better else "no"),
                )
            ]
        )
    return out


def to_csv(*, session: Session) -> str:
    return csv_export.to_csv(COLUMNS, rows(session=session))
