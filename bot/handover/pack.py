"""The handover pack of one AI system, read from every domain that holds part of its story."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.announcements import service as announcements
from bot.content import Content, System
from bot.decisions import service as decisions
from bot.drills import service as drills
from bot.escalations import service as escalations
from bot.escalations.models import Escalation
from bot.escalations.models import Status as EscalationStatus
from bot.escalations.sla import outcome
from bot.friction import service as friction
from bot.handover.document import Document, Section, Table
from bot.ownership import confirmations
from bot.ownership import service as ownership
from bot.people.models import Person
from bot.programmes.models import Enrolment
from bot.readiness.checks import fix_for, readiness

SLA_MONTHS = 6


def build(*, session: Session, content: Content, system: System, now: datetime) -> Document:
    return Document(
        title=f"Handover pack: {system.name} ({system.key})",
        subtitle=f"Generated {now:%Y-%m-%d %H:%M} UTC by Adoption Coach. {system.description}".strip(),
        sections=[
            _readiness(session, content, system, now),
            _owners(session, content, system, now),
            _runbook(system),
            _escalations(session, system, now),
            _friction(session, system),
            _sla_history(session, system, now),
            _faq(session, system),
            _decisions(session, system),
            _versions(session, system),
            _programme(session, content, system),
            _drill(session, system),
        ],
    )


def _name(session: Session, person_id: int | None) -> str:
    if person_id is None:
        return "nobody"
    person = session.get(Person, person_id)
    return "unknown" if person is None else (person.email or person.display_name)


def _day(when: datetime | None) -> str:
    return "—" if when is None else f"{when:%Y-%m-%d}"


def _readiness(session: Session, content: Content, system: System, now: datetime) -> Section:
    found = next(r for r in readiness(session=session, content=content, now=now) if r.key == system.key)
    failing = found.failing
    rows = tuple((c.name, c.reason, fix_for(c, system.key)) for c in failing)
    passing = [f"{c.name}: {c.reason}" for c in found.checks if c.ok]
    blocks: list[str | list[str] | Table] = [
        f"Score {found.score}/100: {len(found.checks) - len(failing)} of {len(found.checks)} checks pass.",
        Table(("failing check", "why", "what fixes it"), rows, empty="Every check passes."),
    ]
    if passing:
        blocks += ["Passing:", passing]
    return Section("Readiness", blocks)


def _owners(session: Session, content: Content, system: System, now: datetime) -> Section:
    rows = tuple(
        (
            h.label,
            _name(session, h.person_id),
            h.backup or "none",
            _day(h.confirmed_at) if h.confirmed_at else "not confirmed",
        )
        for h in confirmations.roster(session=session, system=system.key)
    )
    return Section("Owners and backups", [Table(("role", "person", "backup", "confirmed"), rows)])


def _runbook(system: System) -> Section:
    sla = system.sla
    return Section(
        "Runbook and service levels",
        [
            [
                f"Runbook: {system.runbook or 'none yet (add runbook: to systems.yaml)'}",
                f"SLA: acknowledge within {sla.acknowledge_hours:g} and answer within {sla.answer_hours:g} working hours",
                f"Drift review every {system.drift_review_days} days; owners confirm roles every {system.confirm_roles_days} days",
                "Escalation channels: "
                + (", ".join(f"{p}: {c}" for p, c in system.escalation_channel.items()) or "none"),
            ]
        ],
    )


def _escalations(session: Session, system: System, now: datetime) -> Section:
    rows = [
        r
        for r in escalations.for_system(session=session, system_key=system.key)
        if r.status != EscalationStatus.resolved
    ]
    table = Table(
        ("flag", "reason", "state", "flagged", "answer due", "owner"),
        tuple(
            (
                r.reference,
                r.reason,
                str(r.status),
                _day(r.created_at),
                f"{r.answer_due_at:%Y-%m-%d %H:%M}",
                _name(session, r.owner_id),
            )
            for r in rows
        ),
        empty="No open escalations.",
    )
    return Section("Open escalations", [table])


def _friction(session: Session, system: System) -> Section:
    rows = friction.open_reports(session=session, systems=[system.key])
    table = Table(
        ("report", "category", "severity", "state", "reported", "trying to"),
        tuple(
            (r.reference, r.category, r.severity, str(r.status), _day(r.created_at), r.trying_to[:120])
            for r in rows
        ),
        empty="No open friction reports.",
    )
    return Section("Open friction", [table])


def _sla_history(session: Session, system: System, now: datetime) -> Section:
    since = (now - timedelta(days=31 * SLA_MONTHS)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows: Sequence[Escalation] = escalations.for_system(session=session, system_key=system.key, since=since)
    by_month: dict[str, list[bool | None]] = {}
    for r in rows:
        by_month.setdefault(f"{r.created_at:%Y-%m}", []).append(outcome(r, now))
    table = Table(
        ("month", "flags", "within SLA", "missed", "not due yet"),
        tuple(
            (
                month,
                str(len(o)),
                str(sum(1 for x in o if x)),
                str(sum(1 for x in o if x is False)),
                str(sum(1 for x in o if x is None)),
            )
            for month, o in sorted(by_month.items())
        ),
        empty=f"No escalations in the last {SLA_MONTHS} months.",
    )
    return Section("SLA history", [table])


def _faq(session: Session, system: System) -> Section:
    entries = escalations.faq_entries(session=session, system_key=system.key)
    items = [f"{e.question or e.output_text[:120]} — {e.answer}" for e in entries]
    return Section("FAQ", [items] if items else ["No FAQ entries published yet."])


def _decisions(session: Session, system: System) -> Section:
    reviews = decisions.reviews(session=session, system=system.key)
    made = decisions.decisions(session=session, system=system.key)
    return Section(
        "Drift reviews and decisions",
        [
            Table(
                ("review", "date", "verdict", "reviewer", "looked at"),
                tuple(
                    (
                        r.reference,
                        _day(r.created_at),
                        r.verdict,
                        _name(session, r.reviewer_id),
                        r.looked_at[:160],
                    )
                    for r in reviews
                ),
                empty="No drift review recorded yet.",
            ),
            Table(
                ("decision", "date", "kind", "decider", "rationale"),
                tuple(
                    (d.reference, _day(d.created_at), d.kind, _name(session, d.decider_id), d.rationale[:160])
                    for d in made
                ),
                empty="No decision recorded yet.",
            ),
        ],
    )


def _versions(session: Session, system: System) -> Section:
    current = ownership.model_version(session=session, system=system.key) or "none recorded"
    rows = []
    for a in announcements.changelog(session=session, system=system.key):
        counts = announcements.counts(session=session, announcement=a)
        rows.append(
            (
                a.model_version or "—",
                a.title,
                _day(a.confirmed_at),
                f"{counts.sent} of {counts.recipients}",
                str(counts.acknowledged),
            )
        )
    return Section(
        "Model versions and announcements",
        [
            f"Current model version: {current}.",
            Table(
                ("version", "announcement", "sent on", "delivered", "acknowledged"),
                tuple(rows),
                empty="No announcement has gone out yet.",
            ),
        ],
    )


def _programme(session: Session, content: Content, system: System) -> Section:
    programmes = [p for p in content.programmes.values() if p.system == system.key]
    if not programmes:
        return Section(
            "Programme and adoption", ["No adoption programme in content/programmes for this system."]
        )
    keys = [p.key for p in programmes]
    rows = session.exec(
        select(Enrolment.stage, Enrolment.completed_at).where(col(Enrolment.programme_key).in_(keys))
    ).all()
    stages = Counter(stage for stage, _ in rows)
    completed = sum(1 for _, done in rows if done is not None)
    return Section(
        "Programme and adoption",
        [
            [
                f"Programme: {', '.join(f'{p.name} ({p.key})' for p in programmes)}",
                f"Enrolled: {len(rows)}; completed the programme: {completed}",
                "By stage: "
                + (", ".join(f"{s} {n}" for s, n in sorted(stages.items())) or "nobody enrolled yet"),
            ]
        ],
    )


def _drill(session: Session, system: System) -> Section:
    last = drills.latest_finished(session=session, system=system.key)
    if last is None:
        note = "No handover drill yet." + (
            "" if system.drills else " Drills are off for this system (drills: true in systems.yaml)."
        )
        return Section("Last handover drill", [note])
    held = drills.held(last.report)
    lines = [
        f"{last.reference}, {_day(last.started_at)} to {_day(last.ended_at)}: {'held' if held else 'did not fully hold'}."
    ]
    fixes = drills.fixes(last.report)
    return Section("Last handover drill", [*lines, *([fixes] if fixes else [])])
