"""Persistence for friction reports: filing, the lifecycle, notes, merging duplicates, digest choices.

The status trail is written to the audit log (subject `friction:ID`). An anonymous reporter's own
actions are audited without an actor, so not even the trail ties them to the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from bot.audit import service as audit
from bot.friction.models import OPEN, Cadence, DigestChoice, FrictionNote, FrictionReport, Status
from bot.people.models import Person

# Owners may skip ahead (a quick fix needs no plan); `fixed → triaged` is the reporter's "not better".
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.new: frozenset({Status.triaged, Status.planned, Status.fixed, Status.wont_fix}),
    Status.triaged: frozenset({Status.planned, Status.fixed, Status.wont_fix}),
    Status.planned: frozenset({Status.triaged, Status.fixed, Status.wont_fix}),
    Status.fixed: frozenset({Status.closed, Status.triaged}),
    Status.wont_fix: frozenset({Status.closed, Status.triaged}),
    Status.closed: frozenset({Status.triaged}),
}

LABELS: dict[Status, str] = {
    Status.new: "new",
    Status.triaged: "triaged",
    Status.planned: "planned",
    Status.fixed: "fixed",
    Status.wont_fix: "won't fix",
    Status.closed: "closed",
}


class InvalidMove(ValueError):
    """A status change the lifecycle does not allow, e.g. planning a closed report."""


def subject(report: FrictionReport) -> str:
    return f"friction:{report.id}"


def create(
    *,
    session: Session,
    reporter: Person,
    system_key: str,
    category: str,
    severity: str,
    urgent: bool,
    trying_to: str,
    details: str,
    anonymous: bool,
    owner_id: int | None,
    now: datetime,
) -> FrictionReport:
    assert reporter.id is not None
    report = FrictionReport(
        reporter_id=reporter.id,
        anonymous=anonymous,
        system_key=system_key,
        category=category,
        severity=severity,
        urgent=urgent,
        trying_to=trying_to,
        details=details,
        owner_id=owner_id,
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    session.flush()
    audit.record(
        session=session,
        at=now,
        actor_person_id=None if anonymous else reporter.id,
        action="friction.filed",
        subject=subject(report),
        detail={"system": system_key, "category": category, "severity": severity, "anonymous": anonymous},
    )
    return report


def get(*, session: Session, report_id: int) -> FrictionReport | None:
    return session.get(FrictionReport, report_id)


def root(*, session: Session, report: FrictionReport) -> FrictionReport:
    """The report a duplicate was merged into (followed to the end), or the report itself."""
    seen = {report.id}
    while report.merged_into is not None:
        parent = session.get(FrictionReport, report.merged_into)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        report = parent
    return report


def move(
    *,
    session: Session,
    report: FrictionReport,
    to: Status,
    actor_id: int | None,
    now: datetime,
    reason: str | None = None,
) -> Status:
    """Change the status (the trail records who and why); returns the status it had before."""
    before = report.status
    if report.merged_into is not None:
        raise InvalidMove(f"{report.reference} was merged into FR-{report.merged_into}; change that one.")
    if to not in TRANSITIONS[before]:
        raise InvalidMove(f"{report.reference} is {LABELS[before]}; it can't become {LABELS[to]} from there.")
    report.status = to
    report.revision += 1
    report.updated_at = now
    if to == Status.wont_fix:
        report.reason = reason
    audit.record(
        session=session,
        at=now,
        actor_person_id=actor_id,
        action=f"friction.{to.value}",
        subject=subject(report),
        detail={"from": before.value, "to": to.value, **({"reason": reason} if reason else {})},
    )
    session.flush()
    return before


def add_note(
    *, session: Session, report: FrictionReport, author_id: int | None, text: str, now: datetime
) -> FrictionNote:
    note = FrictionNote(report_id=report.id or 0, author_id=author_id, text=text, at=now)
    session.add(note)
    audit.record(
        session=session, at=now, actor_person_id=author_id, action="friction.note", subject=subject(report)
    )
    session.flush()
    return note


def notes(*, session: Session, report_id: int) -> Sequence[FrictionNote]:
    return session.exec(
        select(FrictionNote).where(FrictionNote.report_id == report_id).order_by(col(FrictionNote.id))
    ).all()


def merge(
    *, session: Session, duplicate: FrictionReport, into: FrictionReport, actor_id: int | None, now: datetime
) -> FrictionReport:
    """Fold `duplicate` into `into`'s root; its reporter hears about the root from now on."""
    target = root(session=session, report=into)
    if target.id == duplicate.id or root(session=session, report=duplicate).id == target.id:
        raise InvalidMove("A report can't be merged into itself.")
    for child in merged_children(session=session, report_id=duplicate.id or 0):
        child.merged_into = target.id
    duplicate.merged_into = target.id
    duplicate.updated_at = now
    audit.record(
        session=session,
        at=now,
        actor_person_id=actor_id,
        action="friction.merged",
        subject=subject(duplicate),
        detail={"into": target.id},
    )
    session.flush()
    return target


def merged_children(*, session: Session, report_id: int) -> Sequence[FrictionReport]:
    return session.exec(select(FrictionReport).where(FrictionReport.merged_into == report_id)).all()


def family(*, session: Session, report: FrictionReport) -> list[FrictionReport]:
    """A report and every duplicate merged into it: everyone who filed one hears back."""
    return [report, *merged_children(session=session, report_id=report.id or 0)]


def reporters(*, session: Session, report: FrictionReport) -> list[tuple[Person, FrictionReport]]:
    """Each distinct reporter of a report's family, with the report they filed."""
    found: dict[int, tuple[Person, FrictionReport]] = {}
    for filed in family(session=session, report=report):
        person = session.get(Person, filed.reporter_id)
        if person is not None and person.id is not None and person.id not in found:
            found[person.id] = (person, filed)
    return list(found.values())


def open_reports(*, session: Session, systems: Iterable[str] | None) -> Sequence[FrictionReport]:
    query = select(FrictionReport).where(*_open())
    if systems is not None:
        query = query.where(col(FrictionReport.system_key).in_(list(systems)))
    return session.exec(query.order_by(col(FrictionReport.id))).all()


def count_open(*, session: Session, system: str) -> int:
    """How many of a system's reports are open, counted as `open_reports` lists them."""
    query = (
        select(func.count()).select_from(FrictionReport).where(FrictionReport.system_key == system, *_open())
    )
    return int(session.exec(query).one())


def _open() -> tuple[Any, ...]:
    return col(FrictionReport.merged_into).is_(None), col(FrictionReport.status).in_(OPEN)


def to_look_at(*, session: Session, owner_id: int) -> Sequence[FrictionReport]:
    """Reports sent to this owner that are still new or only triaged."""
    return session.exec(
        select(FrictionReport).where(
            FrictionReport.owner_id == owner_id,
            col(FrictionReport.merged_into).is_(None),
            col(FrictionReport.status).in_([Status.new, Status.triaged]),
        )
    ).all()


def all_reports(*, session: Session, systems: Iterable[str] | None = None) -> Sequence[FrictionReport]:
    query = select(FrictionReport)
    if systems is not None:
        query = query.where(col(FrictionReport.system_key).in_(list(systems)))
    return session.exec(query.order_by(col(FrictionReport.id))).all()


def awaiting_digest(*, session: Session, owner_id: int) -> Sequence[FrictionReport]:
    """Reports sent to nobody yet (not urgent) that this owner receives in their digest."""
    return session.exec(
        select(FrictionReport)
        .where(
            FrictionReport.owner_id == owner_id,
            col(FrictionReport.routed_at).is_(None),
            col(FrictionReport.urgent).is_(False),
        )
        .order_by(col(FrictionReport.id))
    ).all()


def cadence(*, session: Session, person_id: int) -> Cadence:
    choice = session.get(DigestChoice, person_id)
    return choice.cadence if choice else Cadence.daily


def set_cadence(*, session: Session, person_id: int, cadence: Cadence, now: datetime) -> None:
    choice = session.get(DigestChoice, person_id)
    if choice is None:
        session.add(DigestChoice(person_id=person_id, cadence=cadence, updated_at=now))
    else:
        choice.cadence = cadence
        choice.updated_at = now
    session.flush()


def reporters_of(*, system: str) -> Select[Any]:
    """The people who reported friction with `system` (a query, for an announcement's audience)."""
    return select(FrictionReport.reporter_id).where(FrictionReport.system_key == system)
