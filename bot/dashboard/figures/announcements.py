"""The announcements page: reach, acknowledgement and questions per announcement; who cannot be reached."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from bot.announcements import counting
from bot.announcements import service as announcements
from bot.announcements.models import Announcement, AnnouncementState
from bot.dashboard.figures.period import Period
from bot.dashboard.page import Cell, Page, Section, Table
from bot.people.models import Identity, Person


def announcements_page(*, session: Session, systems: Sequence[str], everything: bool, period: Period) -> Page:
    query = select(Announcement).where(
        col(Announcement.state) != AnnouncementState.draft, Announcement.created_at >= period.start
    )
    if not everything:  # an owner sees their systems' announcements, not organisation-wide ones
        query = query.where(col(Announcement.system_key).in_(systems))
    found = session.exec(query.order_by(col(Announcement.created_at).desc()).limit(200)).all()
    counted = counting.counts_of(session=session, announcements=found)
    rows: list[tuple[Cell, ...]] = []
    for a in found:
        assert a.id is not None
        counts = counted[a.id]
        reach = f"{100 * counts.sent / counts.recipients:.0f}%" if counts.recipients else ""
        acked = f"{100 * counts.acknowledged / counts.sent:.0f}%" if counts.sent else ""
        rows.append(
            (
                f"A-{a.id}",
                a.title,
                a.system_key or "everyone",
                period.local(a.confirmed_at or a.created_at),
                announcements.progress(a, counts),
                counts.recipients,
                counts.sent,
                reach,
                counts.acknowledged,
                acked,
                counts.questions,
                counts.unreachable,
                counts.failed,
            )
        )
    table = Table(
        key="announcements",
        title="Announcements in the period",
        columns=(
            "announcement",
            "title",
            "system",
            "sent on",
            "state",
            "recipients",
            "reached",
            "reach",
            "acknowledged",
            "acknowledged of reached",
            "questions",
            "unreachable",
            "failed",
        ),
        rows=tuple(rows),
    )
    unreachable = _unreachable(session)
    return Page(
        title="Announcements",
        sections=(
            Section("Reach and acknowledgement", tables=(table,)),
            Section(
                "People the coach cannot reach",
                tables=(unreachable,),
                note="They get their messages when they first talk to the coach.",
            ),
        ),
    )


def _unreachable(session: Session) -> Table:
    reachable = select(Identity.person_id).where(col(Identity.reachable).is_(True))
    rows = session.exec(
        select(Person, func.count(col(Identity.id)))
        .outerjoin(Identity, col(Identity.person_id) == col(Person.id))
        .where(col(Person.active).is_(True), col(Person.id).not_in(reachable))
        .group_by(col(Person.id))
        .order_by(col(Person.id))
        .limit(500)
    ).all()
    return Table(
        key="unreachable",
        title="Unreachable people and why",
        columns=("person", "email", "why"),
        rows=tuple(
            (
                p.display_name or p.email or f"person {p.id}",
                p.email or "",
                "never talked to the coach"
                if n == 0
                else "their chat app cannot be reached (uninstalled or blocked)",
            )
            for p, n in rows
        ),
    )
