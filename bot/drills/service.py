"""Starting, ending and reporting handover drills.

A drill names, per role with a primary, the backup who stands in (the first active backup person who
is not the primary); `ownership.holder` reads it, so everything routed by role reaches the stand-in. A
role with no backup to stand in stays with its primary and is reported as uncovered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.audit import service as audit
from bot.audit.models import AuditEntry
from bot.content import ROLES, Content, System
from bot.decisions import service as decisions
from bot.escalations import service as escalations
from bot.escalations.sla import outcome
from bot.friction.models import FrictionReport
from bot.ownership import service as ownership
from bot.ownership.models import Drill
from bot.ownership.service import ROLE_LABELS
from bot.people.models import Person

MAX_DAYS = 30


@dataclass(frozen=True)
class Plan:
    standins: dict[str, int]
    primaries: dict[str, int]
    uncovered: tuple[str, ...]  # roles whose primary has no backup who could stand in


def plan(*, session: Session, content: Content, system: System, now: datetime) -> Plan:
    """Stand-ins prefer backups who hold no role of the system themselves (they are away too); a role
    whose only backup is another primary gets that primary, and the report says so."""
    primaries: dict[str, int] = {}
    for role in ROLES:
        person = ownership.primary(session=session, system=system.key, role=role)
        if person is not None and person.id is not None:
            primaries[role] = person.id
    away = set(primaries.values())
    standins: dict[str, int] = {}
    uncovered: list[str] = []
    for name, primary in primaries.items():
        backups = [
            b.id
            for b in ownership.backups(
                session=session, content=content, system=system.key, role=name, now=now
            )
            if b.id is not None and b.id != primary and b.active
        ]
        backups.sort(key=lambda pid: pid in away)
        if backups:
            standins[name] = backups[0]
        else:
            uncovered.append(name)
    return Plan(standins, primaries, tuple(uncovered))


def start(
    *, session: Session, system: str, plan: Plan, started_by: int, now: datetime, ends_at: datetime
) -> Drill:
    drill = Drill(
        system_key=system,
        started_by=started_by,
        started_at=now,
        ends_at=ends_at,
        standins=plan.standins,
        primaries=plan.primaries,
        report={"uncovered": list(plan.uncovered), "notes": []},
    )
    session.add(drill)
    session.flush()
    ownership.forget_drills(session)
    audit.record(
        session=session,
        at=now,
        actor_person_id=started_by,
        action="drill.start",
        subject=f"drill:{drill.id}",
        detail={"system": system, "ends_at": ends_at.isoformat(), "standins": plan.standins},
    )
    return drill


def note(*, session: Session, drill: Drill, person_id: int, text: str, now: datetime) -> None:
    """A stand-in's note: something that needed the primary, or the runbook did not cover."""
    notes = list(drill.report.get("notes", []))
    notes.append({"by": person_id, "at": now.isoformat(), "text": text})
    drill.report = {**drill.report, "notes": notes}
    audit.record(
        session=session, at=now, actor_person_id=person_id, action="drill.note", subject=f"drill:{drill.id}"
    )


def finish(
    *, session: Session, content: Content, drill: Drill, now: datetime, stopped_by: int | None
) -> dict[str, Any]:
    """End the drill (at its end, or stopped early) and keep its report."""
    drill.ended_at = min(now, drill.ends_at) if stopped_by is None else now
    drill.stopped_by = stopped_by
    drill.report = report(session=session, content=content, drill=drill, now=now)
    audit.record(
        session=session,
        at=now,
        actor_person_id=stopped_by,
        action="drill.stop" if stopped_by is not None else "drill.end",
        subject=f"drill:{drill.id}",
    )
    session.flush()
    return drill.report


def report(*, session: Session, content: Content, drill: Drill, now: datetime) -> dict[str, Any]:
    """What held and what did not, from the rows the drill's period left behind."""
    end = drill.ended_at or now
    standins = set(drill.standins.values())
    flags = [
        r
        for r in escalations.for_system(session=session, system_key=drill.system_key, since=drill.started_at)
        if r.created_at <= end
    ]
    outcomes = [outcome(r, now) for r in flags]
    reports = session.exec(
        select(FrictionReport).where(
            FrictionReport.system_key == drill.system_key,
            col(FrictionReport.created_at) >= drill.started_at,
            col(FrictionReport.created_at) <= end,
        )
    ).all()
    # Steps the primary took anyway: on a flag, its escalation owner; on a report, its programme owner.
    watched = [
        (subject, drill.primaries.get(role))
        for role, subjects in (
            ("escalation_owner", [f"escalation:{r.id}" for r in flags]),
            ("programme_owner", [f"friction:{r.id}" for r in reports]),
        )
        for subject in subjects
        if drill.primaries.get(role) is not None and drill.standins.get(role) is not None
    ]
    by_primary = (
        [
            e
            for e in session.exec(
                select(AuditEntry).where(
                    col(AuditEntry.subject).in_([subject for subject, _ in watched]),
                    col(AuditEntry.at) >= drill.started_at,
                    col(AuditEntry.at) <= end,
                )
            ).all()
            if (e.subject, e.actor_person_id) in set(watched)
        ]
        if watched
        else []
    )
    reviews, made = decisions.made_during(session=session, drill_id=drill.id or 0)
    system = content.systems.get(drill.system_key)
    return {
        "flags": len(flags),
        "flags_to_standins": sum(1 for r in flags if r.owner_id in standins),
        "flags_within_sla": sum(1 for o in outcomes if o is True),
        "flags_missed_sla": sum(1 for o in outcomes if o is False),
        "flags_open": sum(1 for r in flags if not r.is_closed and r.answered_at is None),
        "friction": len(reports),
        "friction_to_standins": sum(1 for r in reports if r.owner_id in standins),
        "friction_handled": sum(1 for r in reports if str(r.status) != "new"),
        "reviews": len(reviews),
        "decisions": len(made),
        "primary_steps": [f"{e.action} on {e.subject}" for e in by_primary],
        "runbook": system.runbook if system is not None else None,
        "uncovered": list(drill.report.get("uncovered", [])),
        "doubled": sorted(
            role for role, pid in drill.standins.items() if pid in set(drill.primaries.values())
        ),
        "notes": list(drill.report.get("notes", [])),
        "stopped_early": drill.stopped_by is not None,
    }


def held(report: dict[str, Any]) -> bool:
    """Whether the backups carried the system alone: no SLA missed, nothing needed the primary."""
    return (
        not report.get("flags_missed_sla")
        and not report.get("primary_steps")
        and not report.get("notes")
        and not report.get("uncovered")
        and not report.get("stopped_early")
    )


def fixes(report: dict[str, Any]) -> list[str]:
    """What to change before the next handover, from what the drill showed."""
    found: list[str] = []
    for role in report.get("uncovered", []):
        found.append(f"Name a backup for the {ROLE_LABELS.get(role, role)}: nobody could stand in.")
    for role in report.get("doubled", []):
        found.append(
            f"Name a backup for the {ROLE_LABELS.get(role, role)} who holds no other role here: the one "
            "standing in is a primary too."
        )
    if report.get("flags_missed_sla"):
        found.append("Backups missed an SLA: walk them through the escalation steps in the runbook.")
    if report.get("flags_open"):
        found.append(
            "Some flags were still unanswered at the end: check the backups know where answers come from."
        )
    if report.get("primary_steps") or report.get("notes"):
        found.append("Write down what needed the primary in the runbook, so a backup can do it next time.")
    if not report.get("runbook"):
        found.append("Add a runbook link to systems.yaml: backups had none to follow.")
    return found


def running(*, session: Session, system: str) -> Drill | None:
    return ownership.running_drill(session=session, system=system)


def latest_finished(*, session: Session, system: str) -> Drill | None:
    return session.exec(
        select(Drill)
        .where(Drill.system_key == system, col(Drill.ended_at).is_not(None))
        .order_by(col(Drill.ended_at).desc())
    ).first()


def for_system(*, session: Session, system: str, limit: int = 5) -> Sequence[Drill]:
    return session.exec(
        select(Drill).where(Drill.system_key == system).order_by(col(Drill.id).desc()).limit(limit)
    ).all()


def people_of(session: Session, ids: dict[str, int]) -> dict[str, Person | None]:
    return {role: session.get(Person, pid) for role, pid in ids.items()}
