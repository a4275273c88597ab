"""The readiness checks, computed from the registry, the escalations and the content."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.announcements import service as announcements
from bot.content import Content, System
from bot.decisions import service as decisions
from bot.drills import service as drills
from bot.escalations import service as escalations
from bot.escalations.models import Escalation
from bot.escalations.sla import outcome, past_due
from bot.ownership import confirmations, weekly_check
from bot.ownership import service as ownership
from bot.ownership.service import Gap
from bot.people import service as people
from bot.wording import plural

WINDOW = timedelta(days=30)
PEOPLE_PROBLEMS = ("has left", "can't be reached")  # the rest of ownership's gaps are about roles


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str
    weight: int = 1  # WEIGHTS: evidence of acts counts more than declarations


# The score weighs evidence over declarations: what people did (confirmed, handled, reviewed, drilled)
# counts three times what content declares (a name, a link, a programme); outcomes measured in between.
EVIDENCE, MEASURED, DECLARED = 3, 2, 1
WEIGHTS = {
    "roles named with backups": DECLARED,
    "runbook present": DECLARED,
    "programme present": DECLARED,
    "owners reachable": MEASURED,
    "SLA met over the last 30 days": MEASURED,
    "no open escalations past SLA": MEASURED,
    "current model version announced": MEASURED,
    "a decision on every degraded review": MEASURED,
    "harmful flags answered within SLA": MEASURED,
    "backups have handled an escalation": EVIDENCE,
    "owners confirmed their roles": EVIDENCE,
    "drift reviewed": EVIDENCE,  # its name carries the interval: matched by prefix
    "a handover drill held in the last year": EVIDENCE,
}


def weight_of(name: str) -> int:
    return next((w for prefix, w in WEIGHTS.items() if name.startswith(prefix)), DECLARED)


@dataclass(frozen=True)
class SystemReadiness:
    key: str
    name: str
    score: int
    checks: tuple[Check, ...]

    @property
    def failing(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "score": self.score, "checks": [asdict(c) for c in self.checks]}


# What to do about each failing readiness check: the reason says what is wrong, this says who acts how.
FIXES = {
    "roles named with backups": "An admin names the missing people: owners set SYSTEM ROLE EMAIL (or edit systems.yaml).",
    "owners reachable": "Each owner opens a chat with the coach once; replace anyone who has left with owners set.",
    "backups have handled an escalation": "Let a backup acknowledge and answer the next flag, or run a drill.",
    "SLA met over the last 30 days": "Review the late escalations with the escalation owner; adjust the SLA or add a backup.",
    "no open escalations past SLA": "The escalation owner (or backup) answers the overdue flags listed.",
    "runbook present": "Write the runbook and put its link in systems.yaml (runbook:).",
    "programme present": "Add an adoption programme for the system in content/programmes.",
    "current model version announced": "The change communicator announces the current version (announce).",
    "owners confirmed their roles": "The people listed answer their role confirmation in chat.",
    "a decision on every degraded review": "The retraining decider records a decision: decide SYSTEM.",
    "harmful flags answered within SLA": "Answer harmful flags first; review why they were late.",
}


def fix_for(check: Check, system: str) -> str:
    """The action that makes a failing check pass, in words a person can follow (the reason says why)."""
    if check.name.startswith("drift reviewed"):
        return f"The drift monitor records a review: review drift {system}."
    if check.name.startswith("a handover drill"):
        return f"An admin runs a drill: drill {system} 5 days."
    return FIXES.get(check.name, "See the reason.").replace("SYSTEM", system)


def best_action(item: SystemReadiness) -> tuple[Check, str] | None:
    """The failing check whose fix raises the score most (the heaviest; the first listed on a tie)."""
    failing = item.failing
    if not failing:
        return None
    best = max(failing, key=lambda c: c.weight)
    return best, fix_for(best, item.key)


def readiness(*, session: Session, content: Content, now: datetime) -> list[SystemReadiness]:
    gaps = ownership.gaps(session=session, content=content)
    return [
        _system(session=session, content=content, system=s, gaps=gaps, now=now)
        for s in content.systems.values()
    ]


def report(*, session: Session, content: Content, now: datetime) -> list[SystemReadiness]:
    """Readiness on request (chat, CLI): its first use also starts the weekly gap check."""
    weekly_check.ensure(session=session, now=now)
    return readiness(session=session, content=content, now=now)


def _system(
    *, session: Session, content: Content, system: System, gaps: Sequence[Gap], now: datetime
) -> SystemReadiness:
    mine = [g for g in gaps if g.system == system.key]
    # The checks look at the last WINDOW and at what is still open: nothing older and resolved.
    rows = escalations.recent_or_open(session=session, system_key=system.key, since=now - WINDOW)
    checks = (
        _listed(
            "roles named with backups",
            [g.problem for g in mine if _is_role_problem(g)],
            "every role has a person and a backup",
        ),
        _listed(
            "owners reachable",
            [g.problem for g in mine if not _is_role_problem(g)],
            "every owner is active and reachable on chat",
        ),
        _backups_practised(session=session, content=content, system=system, now=now),
        _sla_met(rows, now),
        _overdue(rows, now),
        Check(
            "runbook present",
            bool(system.runbook),
            f"runbook: {system.runbook}" if system.runbook else "no runbook link in systems.yaml",
        ),
        _programme(content, system),
        _announced(session=session, system=system),
        _confirmed(session=session, content=content, system=system, now=now),
        _drift_reviewed(session=session, system=system, now=now),
        _degraded_decided(session=session, system=system),
        _harmful_answered(rows, now),
        *((_drilled(session=session, system=system, now=now),) if system.drills else ()),
    )
    weighed = tuple(replace(c, weight=weight_of(c.name)) for c in checks)
    score = round(100 * sum(c.weight for c in weighed if c.ok) / sum(c.weight for c in weighed))
    return SystemReadiness(system.key, system.name, score, weighed)


def _is_role_problem(gap: Gap) -> bool:
    return not any(p in gap.problem for p in PEOPLE_PROBLEMS)


def _listed(name: str, problems: list[str], fine: str) -> Check:
    if not problems:
        return Check(name, True, fine)
    shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    return Check(name, False, shown)


def _backups_practised(*, session: Session, content: Content, system: System, now: datetime) -> Check:
    name = "backups have handled an escalation"
    # Looked up, never created: readiness is read beside the writer (the dashboard, the API), and a
    # backup the coach has not met yet has handled nothing.
    found = ownership.assignment(session=session, system=system.key, role="escalation_owner")
    emails = content.members(found.backup) if found is not None else ()
    if not emails:
        return Check(name, False, "the escalation owner has no backup")
    known = [people.by_email(session=session, email=e) for e in emails]
    ids = [p.id for p in known if p is not None and p.id is not None]
    handled = escalations.handled_by(session=session, person_ids=ids) if ids else set()
    if handled:
        verb = "has" if len(handled) == 1 else "have"
        return Check(name, True, f"{len(handled)} of {plural(len(emails), 'backup')} {verb} handled one")
    who = ", ".join(emails[:3])
    return Check(name, False, f"no backup ({who}) has handled an escalation yet")


def _sla_met(rows: Sequence[Escalation], now: datetime) -> Check:
    name = "SLA met over the last 30 days"
    recent = [r for r in rows if r.created_at >= now - WINDOW]
    outcomes = [outcome(r, now) for r in recent]
    known = [o for o in outcomes if o is not None]
    if not known:
        return Check(name, True, "no escalations due in the last 30 days")
    kept = sum(known)
    return Check(name, kept == len(known), f"{kept} of {len(known)} escalations handled within their SLA")


def _overdue(rows: Sequence[Escalation], now: datetime) -> Check:
    late = [r.reference for r in rows if past_due(r, now)]
    if not late:
        return Check("no open escalations past SLA", True, "nothing overdue")
    return Check("no open escalations past SLA", False, f"overdue: {', '.join(late[:5])}")


def _confirmed(*, session: Session, content: Content, system: System, now: datetime) -> Check:
    return _listed(
        "owners confirmed their roles",
        confirmations.unconfirmed(session=session, content=content, system=system, now=now),
        f"nobody's confirmation lapsed (asked every {plural(system.confirm_roles_days, 'day')})",
    )


def _drift_reviewed(*, session: Session, system: System, now: datetime) -> Check:
    name = f"drift reviewed in the last {plural(system.drift_review_days, 'day')}"
    last = decisions.latest_review(session=session, system=system.key)
    if last is None:
        return Check(
            name, False, f"no drift review recorded yet (a drift monitor types: review drift {system.key})"
        )
    age = (now - last.created_at).days
    when = f"{last.reference} {plural(age, 'day')} ago: {last.verdict}"
    return Check(name, age < system.drift_review_days, when)


def _degraded_decided(*, session: Session, system: System) -> Check:
    name = "a decision on every degraded review"
    waiting = decisions.undecided_degraded(session=session, system=system.key)
    if not waiting:
        return Check(name, True, "no degraded review is waiting for a decision")
    refs = ", ".join(r.reference for r in waiting[:5])
    return Check(name, False, f"waiting for a decision (`decide SYSTEM`): {refs}")


def _harmful_answered(rows: Sequence[Escalation], now: datetime) -> Check:
    name = "harmful flags answered within SLA"
    harmful = [r for r in rows if r.reason == "harmful" and r.created_at >= now - WINDOW]
    outcomes = [outcome(r, now) for r in harmful]
    known = [o for o in outcomes if o is not None]
    if not known:
        return Check(name, True, "no harmful flags due in the last 30 days")
    kept = sum(known)
    return Check(name, kept == len(known), f"{kept} of {len(known)} harmful flags answered within their SLA")


DRILL_EVERY = timedelta(days=365)


def _drilled(*, session: Session, system: System, now: datetime) -> Check:
    """Only for systems that opted in to drills: a drill in the last year, and whether it held."""
    name = "a handover drill held in the last year"
    last = drills.latest_finished(session=session, system=system.key)
    if last is None or last.ended_at is None or last.ended_at < now - DRILL_EVERY:
        return Check(
            name, False, f"no handover drill in the last year (an admin types: drill {system.key} 5 days)"
        )
    if drills.held(last.report):
        return Check(name, True, f"{last.reference} held: the backups ran it alone")
    return Check(
        name, False, f"{last.reference} did not fully hold: {'; '.join(drills.fixes(last.report)[:2])}"
    )


def _programme(content: Content, system: System) -> Check:
    found = [p.name for p in content.programmes.values() if p.system == system.key]
    if found:
        return Check("programme present", True, f"programme: {found[0]}")
    return Check("programme present", False, "no adoption programme in content/programmes for this system")


def _announced(*, session: Session, system: System) -> Check:
    name = "current model version announced"
    version = ownership.model_version(session=session, system=system.key)
    if not version:
        return Check(name, False, "no current model version is recorded")
    if announced(session=session, system=system.key, version=version):
        return Check(name, True, f"{version} was announced")
    return Check(name, False, f"no announcement found for {version}")


def announced(*, session: Session, system: str, version: str) -> bool:
    """An announcement that went out (`changelog`) names `version`."""
    return any(a.model_version == version for a in announcements.changelog(session=session, system=system))
