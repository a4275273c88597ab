"""The dashboard's pages as figures: each builder reads the store and returns a `Page` of plain values.

Builders take the systems the viewer may see (already checked) and a `Period` of whole weeks ending
at its end; the web adapter lays the result out. Counts of people below the minimum group size are
withheld here, as in chat (`bot.outcomes.service`), so nothing a page or CSV shows can single anyone out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from bot.announcements import service as announcements
from bot.announcements.models import Announcement, AnnouncementRecipient, AnnouncementState
from bot.content import STAGES, Content
from bot.dashboard.page import Card, Cell, Chart, Page, Section, Series, Table
from bot.escalations.models import Escalation, FaqEntry
from bot.friction.models import FrictionReport
from bot.friction.models import Status as FrictionStatus
from bot.friction.themes import recurring_phrases
from bot.outcomes.service import MAX_WEEKS, WEEK, SystemOutcomes, outcomes
from bot.ownership import service as ownership
from bot.ownership.service import ROLE_LABELS
from bot.people.models import Identity, Person
from bot.programmes.models import Enrolment
from bot.readiness.checks import SystemReadiness
from bot.readiness.models import ReadinessWeek
from bot.usage.models import UsageEvent

REASONS = ("wrong", "unclear", "outdated", "harmful", "other")
CLOSED = (FrictionStatus.fixed, FrictionStatus.wont_fix, FrictionStatus.closed)


@dataclass(frozen=True)
class Period:
    """Whole weeks ending at `end` (newest last); `zone` is the viewer's, for labels and times."""

    end: datetime
    weeks: int
    zone: str = "UTC"

    @classmethod
    def ending(cls, end: datetime, weeks: int, zone: str = "UTC") -> Period:
        return cls(end=end, weeks=max(1, min(weeks, MAX_WEEKS)), zone=zone)

    @property
    def start(self) -> datetime:
        return self.end - WEEK * self.weeks

    def windows(self) -> list[tuple[datetime, datetime]]:
        return [(self.start + WEEK * i, self.start + WEEK * (i + 1)) for i in range(self.weeks)]

    def labels(self) -> tuple[str, ...]:
        """Each week by its first day in the viewer's zone: "2 Nov"."""
        zone = ZoneInfo(self.zone)
        return tuple(f"{s.astimezone(zone).day} {s.astimezone(zone):%b}" for s, _ in self.windows())

    def local(self, moment: datetime | None) -> datetime | None:
        """A time in the viewer's zone (a table cell: shown to the minute, exported in full)."""
        return None if moment is None else moment.astimezone(ZoneInfo(self.zone))


def withheld(value: int | None, min_group: int) -> Cell:
    return f"fewer than {min_group}" if value is None else value


def few(people: int, min_group: int) -> int | None:
    return None if 0 < people < min_group else people


# --- Overview --------------------------------------------------------------------------------------


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
            series=(Series("active users", tuple(_n(w.active_users) for w in found.weeks)),),
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


def _n(value: int | None) -> float | None:
    return None if value is None else float(value)


# --- Adoption funnel and cohorts -------------------------------------------------------------------


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
    return Page(
        title="Adoption funnel",
        sections=tuple(sections),
        note="Stages: enrolled, then onboarded, activated, habitual, champion. A person counts at the stage "
        "they have reached by a week's end, as far as the coach knows now (the day they reached their "
        "current stage is kept). Retention: of the people enrolled in a week, the share who used the "
        f"system in each later week. Groups of fewer than {min_group} people are withheld.",
    )


def _funnel_section(
    session: Session,
    key: str,
    name: str,
    rows: Sequence[tuple[int, str, datetime, datetime]],
    period: Period,
    min_group: int,
) -> Section:
    stages = ("enrolled", *STAGES[1:])
    order: dict[str, int] = {s: i for i, s in enumerate(STAGES)}
    windows = period.windows()
    labels = period.labels()
    by_week: list[list[int | None]] = []
    for _start, end in windows:
        counts = [sum(1 for _, _, _, enrolled in rows if enrolled < end)]
        for stage in STAGES[1:]:
            counts.append(
                sum(1 for _, now_stage, at, _ in rows if order.get(now_stage, 0) >= order[stage] and at < end)
            )
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
        series=tuple(Series(stage, tuple(_n(c[i]) for c in by_week)) for i, stage in enumerate(stages)),
    )
    return Section(
        title=f"{name} ({key})",
        charts=(chart,),
        tables=(table, _cohorts(session, key, name, rows, period, min_group)),
    )


def _cohorts(
    session: Session,
    key: str,
    name: str,
    rows: Sequence[tuple[int, str, datetime, datetime]],
    period: Period,
    min_group: int,
) -> Table:
    windows = period.windows()
    active: list[set[int]] = []
    for start, end in windows:
        ids = session.exec(
            select(UsageEvent.person_id)
            .where(
                UsageEvent.system_key == key,
                col(UsageEvent.person_id).is_not(None),
                UsageEvent.at >= start,
                UsageEvent.at < end,
            )
            .distinct()
        ).all()
        active.append({i for i in ids if i is not None})
    cohorts: defaultdict[int, list[int]] = defaultdict(list)
    for person_id, _stage, _at, enrolled in rows:
        for i, (start, end) in enumerate(windows):
            if start <= enrolled < end:
                cohorts[i].append(person_id)
    offsets = min(period.weeks, 12)
    table_rows: list[tuple[Cell, ...]] = []
    for i, label in enumerate(period.labels()):
        members = cohorts.get(i, [])
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
                shares.append(f"{100 * sum(1 for p in members if p in active[week]) / len(members):.0f}%")
        table_rows.append((label, len(members), *shares))
    return Table(
        key=f"{key}-cohorts",
        title=f"{name}: retention by enrolment week",
        columns=("enrolled in week", "people", *(f"week {n}" for n in range(offsets))),
        rows=tuple(table_rows),
        note="Week 0 is the week of enrolment.",
    )


# --- Escalations -----------------------------------------------------------------------------------


def escalations(
    *, session: Session, content: Content, systems: Sequence[str], period: Period, now: datetime
) -> Page:
    flags = session.exec(
        select(Escalation).where(
            col(Escalation.system_key).in_(systems), Escalation.created_at >= period.start
        )
    ).all()
    still_open = session.exec(
        select(Escalation)
        .where(col(Escalation.system_key).in_(systems), col(Escalation.answered_at).is_(None))
        .order_by(col(Escalation.created_at))
    ).all()
    names = _names(session, {f.owner_id for f in [*flags, *still_open] if f.owner_id})
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
    per_owner: defaultdict[tuple[str, str], list[Escalation]] = defaultdict(list)
    for f in flags:
        per_owner[(f.system_key, names.get(f.owner_id or 0, "nobody"))].append(f)
    sla_rows: list[tuple[Cell, ...]] = []
    for (system, owner), rows in sorted(per_owner.items()):
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
                _median_hours([(f.created_at, f.acknowledged_at) for f in acked]),
                _median_hours([(f.created_at, f.answered_at) for f in answered]),
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
            "median hours to acknowledge",
            "median hours to answer",
        ),
        rows=tuple(sla_rows),
        note="The SLA is counted in the owner's working hours and frozen on each flag; the medians are clock hours.",
    )
    reasons = _per_week(
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


def _median_hours(pairs: Sequence[tuple[datetime, datetime | None]]) -> Cell:
    hours = [(b - a).total_seconds() / 3600 for a, b in pairs if b is not None]
    return round(median(hours), 1) if hours else ""


def _per_week(
    period: Period, items: Sequence[tuple[datetime, str]], names: Sequence[str]
) -> tuple[Series, ...]:
    windows = period.windows()
    counts = {name: [0] * len(windows) for name in names}
    for at, name in items:
        for i, (start, end) in enumerate(windows):
            if start <= at < end:
                counts.setdefault(name, [0] * len(windows))[i] += 1
                break
    return tuple(Series(name, tuple(float(n) for n in values)) for name, values in counts.items())


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Person).where(col(Person.id).in_(ids))).all()
    return {p.id: p.display_name or p.email or f"person {p.id}" for p in rows if p.id is not None}


# --- Friction --------------------------------------------------------------------------------------


def friction(
    *, session: Session, content: Content, systems: Sequence[str], period: Period, now: datetime
) -> Page:
    reports = session.exec(
        select(FrictionReport)
        .where(col(FrictionReport.system_key).in_(systems), FrictionReport.created_at >= period.start)
        .order_by(col(FrictionReport.created_at).desc())
    ).all()
    categories = {c.key: c.label for c in content.friction.categories}
    by_category = _per_week(
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
        note="The newest 500 in the period; the CSV has them too.",
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


# --- Announcements ---------------------------------------------------------------------------------


def announcements_page(*, session: Session, systems: Sequence[str], everything: bool, period: Period) -> Page:
    query = select(Announcement).where(
        col(Announcement.state) != AnnouncementState.draft, Announcement.created_at >= period.start
    )
    if not everything:  # an owner sees their systems' announcements, not organisation-wide ones
        query = query.where(col(Announcement.system_key).in_(systems))
    found = session.exec(query.order_by(col(Announcement.created_at).desc()).limit(200)).all()
    rows: list[tuple[Cell, ...]] = []
    for a in found:
        counts = announcements.counts(session=session, announcement=a)
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


# --- Readiness and ownership -----------------------------------------------------------------------


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


# --- A person's own page ---------------------------------------------------------------------------


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


def since(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
