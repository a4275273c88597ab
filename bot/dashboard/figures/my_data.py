"""A person's own page: what the coach holds about them, their programmes, flags, reports and uses."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from bot.announcements.models import Announcement, AnnouncementRecipient
from bot.dashboard.figures.period import Period
from bot.dashboard.page import Page, Section, Table
from bot.escalations.models import Escalation
from bot.friction.models import FrictionReport
from bot.people.models import Person
from bot.programmes.models import Enrolment
from bot.usage.models import UsageEvent


def my_data(*, session: Session, person: Person, period: Period) -> Page:
    assert person.id is not None
    profile = Table(
        key="profile",
        title="What the coach holds about you",
        columns=("what", "value"),
        rows=(
            ("name", person.display_name),
            ("email", person.email or ""),
            ("time zone", person.effective_timezone or "not known: the coach's default"),
            ("working hours", f"{person.workday_start:02d}:00–{person.workday_end:02d}:00"),
            ("programme messages", "stopped" if person.stopped else "on"),
            ("roles", ", ".join(sorted(person.roles))),
            ("known since", period.local(person.created_at)),
        ),
    )
    enrolments = session.exec(select(Enrolment).where(Enrolment.person_id == person.id)).all()
    programme = Table(
        key="programmes",
        title="Your programmes",
        columns=("programme", "stage", "since", "enrolled"),
        rows=tuple(
            (e.programme_key, e.stage, period.local(e.stage_at), period.local(e.enrolled_at))
            for e in enrolments
        ),
    )
    flags = session.exec(
        select(Escalation)
        .where(Escalation.flagger_id == person.id)
        .order_by(col(Escalation.created_at).desc())
    ).all()
    flag_table = Table(
        key="flags",
        title="Outputs you flagged",
        columns=("flag", "system", "reason", "raised", "status", "answered"),
        rows=tuple(
            (
                f"E-{f.id}",
                f.system_key,
                f.reason,
                period.local(f.created_at),
                str(f.status),
                period.local(f.answered_at),
            )
            for f in flags
        ),
    )
    reports = session.exec(
        select(FrictionReport)
        .where(FrictionReport.reporter_id == person.id)
        .order_by(col(FrictionReport.created_at).desc())
    ).all()
    report_table = Table(
        key="reports",
        title="Your friction reports",
        columns=("report", "system", "status", "filed", "anonymous", "trying to"),
        rows=tuple(
            (
                r.reference,
                r.system_key,
                str(r.status),
                period.local(r.created_at),
                "yes" if r.anonymous else "no",
                r.trying_to[:160],
            )
            for r in reports
        ),
        links=tuple(f"/dashboard/friction/{r.id}" for r in reports),
    )
    uses = session.exec(
        select(UsageEvent.system_key, func.count())
        .where(UsageEvent.person_id == person.id)
        .group_by(col(UsageEvent.system_key))
    ).all()
    usage = Table(
        key="usage",
        title="Your recorded uses of the AI systems",
        columns=("system", "uses"),
        rows=tuple((system, int(n)) for system, n in uses),
    )
    acks = session.exec(
        select(Announcement.title, AnnouncementRecipient.acknowledged_at)
        .join(Announcement, col(Announcement.id) == AnnouncementRecipient.announcement_id)
        .where(AnnouncementRecipient.person_id == person.id)
    ).all()
    ack_table = Table(
        key="announcements",
        title="Announcements sent to you",
        columns=("announcement", "acknowledged"),
        rows=tuple((title, period.local(at) or "no") for title, at in acks),
    )
    return Page(
        title="My data",
        sections=(
            Section("You", tables=(profile, programme, usage)),
            Section("Your flags and reports", tables=(flag_table, report_table, ack_table)),
        ),
        note="`privacy` in chat says what the coach keeps and for how long.",
    )
