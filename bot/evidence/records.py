"""The records that evidence each kind of duty, for one system and period, and what is missing.

Every record is a flat JSON-ready dict with its `kind` and the `evidence` it supports (the evidence
kinds of content/duties.yaml), so the report and the hash-chained export read the same rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from statistics import median
from typing import Any

from sqlmodel import Session, col, select

from bot.announcements import service as announcements
from bot.announcements.report import CSV_COLUMNS, recipient_rows
from bot.content import Content, System
from bot.content.schema import Duty
from bot.decisions.models import Decision, DriftReview
from bot.escalations import service as escalations
from bot.ownership import confirmations
from bot.ownership import service as ownership
from bot.people.models import Person
from bot.programmes.models import Enrolment

SIX_MONTHS_DAYS = 183  # Article 26(6): "at least six months"; the text is in duties.yaml, the check here

Record = dict[str, Any]


@dataclass(frozen=True)
class Period:
    start: datetime | None
    end: datetime

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and (self.start is None or moment >= self.start) and moment <= self.end

    @staticmethod
    def of(start: str | None, end: str | None, now: datetime) -> Period:
        """From YYYY-MM-DD strings (both days included); ValueError names the bad one."""

        def day(text: str, name: str) -> datetime:
            try:
                return datetime.fromisoformat(text).replace(tzinfo=UTC)
            except ValueError:
                raise ValueError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None

        first = day(start, "--from") if start else None
        last = datetime.combine(day(end, "--to").date(), time.max, UTC) if end else now
        if first is not None and first > last:
            raise ValueError("--from is after --to")
        return Period(first, last)


@dataclass
class Evidence:
    system: System
    period: Period
    generated: datetime
    duties: list[Duty]
    disclaimer: str
    records: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    missing: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)

    def header(self) -> Record:
        return {
            "kind": "header",
            "system": self.system.key,
            "name": self.system.name,
            "risk_class": self.system.risk_class,
            "go_live": self.system.go_live,
            "from": self.period.start,
            "to": self.period.end,
            "generated": self.generated,
            "duties": [d.key for d in self.duties],
            "disclaimer": self.disclaimer,
        }

    def export_records(self) -> list[Record]:
        rows = [self.header()]
        for kind in sorted(self.records):
            rows += self.records[kind]
        for kind in sorted(self.missing):
            rows += [{"kind": "missing", "evidence": kind, "what": m} for m in self.missing[kind]]
        return rows


def gather(*, session: Session, content: Content, system: System, period: Period, now: datetime) -> Evidence:
    duties_file = content.duties
    all_duties = list(duties_file.duties) if duties_file else []
    risk = system.risk_class
    duties = [
        d
        for d in all_duties
        if (risk is None and d.applies_to == ("minimal", "limited", "high")) or risk in d.applies_to
    ]
    found = Evidence(
        system,
        period,
        now,
        duties,
        duties_file.disclaimer if duties_file else "Evidence to support an assessment, not legal advice.",
    )
    if duties_file is None:
        found.notes.append(
            "No content/duties.yaml: no duties to list. Copy the shipped one and check its dates."
        )
    if risk is None:
        found.notes.append(
            "No risk_class in systems.yaml: only the duties that apply to every class are listed."
        )
    for kind in sorted({k for d in duties for k in d.evidence}):
        COLLECT[kind](session, content, system, period, found)
    return found


def _email(session: Session, person_id: int | None) -> str:
    if person_id is None:
        return ""
    person = session.get(Person, person_id)
    return "" if person is None else (person.email or person.display_name)


def _literacy(session: Session, content: Content, system: System, period: Period, out: Evidence) -> None:
    keys = [p.key for p in content.programmes.values() if p.system == system.key]
    if not keys:
        out.missing["literacy"].append("No adoption programme for this system in content/programmes.")
        return
    rows = session.exec(select(Enrolment).where(col(Enrolment.programme_key).in_(keys))).all()
    rows = [r for r in rows if r.enrolled_at <= period.end]
    for r in rows:
        done = r.completed_at if r.completed_at is not None and r.completed_at <= period.end else None
        out.records["literacy"].append(
            {
                "kind": "programme",
                "evidence": "literacy",
                "person": _email(session, r.person_id),
                "programme": r.programme_key,
                "enrolled": r.enrolled_at,
                "completed": done,
                "stage": r.stage,
            }
        )
    waiting = sum(1 for r in out.records["literacy"] if r["completed"] is None)
    if not rows:
        out.missing["literacy"].append("Nobody is enrolled in the programme yet.")
    elif waiting:
        out.missing["literacy"].append(
            f"{waiting} of {len(rows)} people enrolled have not completed the programme."
        )


def _oversight(session: Session, content: Content, system: System, period: Period, out: Evidence) -> None:
    for holding in confirmations.roster(session=session, system=system.key):
        label, person_id, backup, confirmed = (
            holding.label,
            holding.person_id,
            holding.backup,
            holding.confirmed_at,
        )
        out.records["oversight"].append(
            {
                "kind": "role",
                "evidence": "oversight",
                "role": label,
                "person": _email(session, person_id),
                "backup": backup or "",
                "backup_people": list(content.members(backup)),
                "confirmed": confirmed,
            }
        )
        if person_id is None:
            out.missing["oversight"].append(f"Nobody is named as {label}.")
        elif not backup:
            out.missing["oversight"].append(f"The {label} has no backup.")
        if person_id is not None and confirmed is None:
            out.missing["oversight"].append(
                f"The {label} ({_email(session, person_id)}) has not confirmed the role."
            )


def _monitoring(session: Session, content: Content, system: System, period: Period, out: Evidence) -> None:
    reviews = session.exec(
        select(DriftReview).where(DriftReview.system_key == system.key).order_by(col(DriftReview.created_at))
    ).all()
    reviews = [r for r in reviews if period.holds(r.created_at)]
    for r in reviews:
        out.records["monitoring"].append(
            {
                "kind": "drift_review",
                "evidence": "monitoring",
                "reference": r.reference,
                "at": r.created_at,
                "verdict": r.verdict,
                "reviewer": _email(session, r.reviewer_id),
                "looked_at": r.looked_at,
            }
        )
    made = session.exec(
        select(Decision).where(Decision.system_key == system.key).order_by(col(Decision.created_at))
    ).all()
    made = [d for d in made if period.holds(d.created_at)]
    decided_flags: dict[int, list[str]] = defaultdict(list)
    for d in made:
        for flag in d.flag_ids:
            decided_flags[flag].append(d.reference)
        out.records["monitoring"].append(
            {
                "kind": "decision",
                "evidence": "monitoring",
                "reference": d.reference,
                "at": d.created_at,
                "decision": d.kind,
                "decider": _email(session, d.decider_id),
                "rationale": d.rationale,
                "model_version": d.model_version,
            }
        )
    flags = [
        f
        for f in escalations.for_system(session=session, system_key=system.key)
        if period.holds(f.created_at)
    ]
    by_reason: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for f in flags:
        counts[f.reason] += 1
        if f.answered_at is not None:
            by_reason[f.reason].append((f.answered_at - f.created_at).total_seconds() / 3600)
    for reason in sorted(counts):
        hours = by_reason[reason]
        out.records["monitoring"].append(
            {
                "kind": "flags",
                "evidence": "monitoring",
                "reason": reason,
                "flags": counts[reason],
                "answered": len(hours),
                "median_hours_to_answer": round(median(hours), 1) if hours else None,
            }
        )
    for f in (f for f in flags if f.reason == "harmful"):
        assert f.id is not None
        out.records["monitoring"].append(
            {
                "kind": "harmful_flag",
                "evidence": "monitoring",
                "reference": f.reference,
                "at": f.created_at,
                "state": str(f.status),
                "answered": f.answered_at,
                "resolution": f.resolution,
                "decisions": decided_flags.get(f.id, []),
            }
        )
        if not decided_flags.get(f.id):
            out.missing["monitoring"].append(f"Harmful flag {f.reference} has no decision that cites it.")
    if not reviews:
        out.missing["monitoring"].append(
            f"No drift review in the period (a drift monitor types: review drift {system.key})."
        )
    status = ownership.status(session=session, system=system.key)
    out.records["monitoring"].append({"kind": "status", "evidence": "monitoring", "status": status})


def _workers_informed(
    session: Session, content: Content, system: System, period: Period, out: Evidence
) -> None:
    sent = [
        a
        for a in announcements.changelog(session=session, system=system.key, limit=1000)
        if period.holds(a.confirmed_at)
    ]
    sent.sort(key=lambda a: a.confirmed_at or period.end)
    for a in sent:
        rows = recipient_rows(session=session, announcement=a)
        acknowledged = sum(1 for r in rows if r[CSV_COLUMNS.index("acknowledged_at")])
        out.records["workers_informed"].append(
            {
                "kind": "announcement",
                "evidence": "workers_informed",
                "id": a.id,
                "title": a.title,
                "model_version": a.model_version,
                "sent_on": a.confirmed_at,
                "recipients": len(rows),
                "acknowledged": acknowledged,
                "ack_required": a.ack_required,
            }
        )
        for r in rows:
            out.records["workers_informed"].append(
                {
                    "kind": "recipient",
                    "evidence": "workers_informed",
                    "announcement": a.id,
                    **{c: v for c, v in zip(CSV_COLUMNS, r, strict=True) if c != "name"},
                }
            )
    if not sent:
        out.missing["workers_informed"].append("No announcement about this system went out in the period.")
    if system.go_live is None:
        out.missing["workers_informed"].append(
            "No go_live date in systems.yaml: whether people were told before it cannot be shown."
        )
    else:
        first = next((a.confirmed_at for a in sent if a.confirmed_at), None)
        before = first is not None and first.date() < system.go_live
        out.records["workers_informed"].append(
            {
                "kind": "informed_before_go_live",
                "evidence": "workers_informed",
                "go_live": system.go_live,
                "first_announcement": first,
                "before": before,
            }
        )
        if not before:
            out.missing["workers_informed"].append(
                f"No announcement went out before the go-live date ({system.go_live})."
            )


def _logs(session: Session, content: Content, system: System, period: Period, out: Evidence) -> None:
    if system.logs is None:
        out.missing["logs"].append(
            "systems.yaml does not say where this system's own logs are kept (logs: {where, kept_days})."
        )
        return
    out.records["logs"].append(
        {"kind": "logs", "evidence": "logs", "where": system.logs.where, "kept_days": system.logs.kept_days}
    )
    if system.risk_class == "high" and system.logs.kept_days < SIX_MONTHS_DAYS:
        out.missing["logs"].append(
            f"Logs are kept {system.logs.kept_days} days: less than six months ({SIX_MONTHS_DAYS} days), where that is under your control."
        )


COLLECT: dict[str, Callable[[Session, Content, System, Period, Evidence], None]] = {
    "literacy": _literacy,
    "oversight": _oversight,
    "monitoring": _monitoring,
    "workers_informed": _workers_informed,
    "logs": _logs,
}
