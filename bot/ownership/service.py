"""Persistence for the ownership registry: seeding, lookups, changes and gap detection."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.audit import service as audit
from bot.content import ROLES, Content
from bot.ownership.models import Drill, RoleAssignment, SystemRecord
from bot.people import service as people
from bot.people.models import Person
from bot.store.snapshot import shared

ROLE_LABELS = {
    "escalation_owner": "escalation owner",
    "drift_monitor": "drift monitor",
    "retraining_decider": "retraining decider",
    "change_communicator": "change communicator",
    "business_owner": "business owner",
    "programme_owner": "programme owner",
}


def seed_from_content(*, session: Session, content: Content, now: datetime) -> int:
    """Create what systems.yaml names and the database lacks; changes made in chat are kept."""
    existing = {(a.system_key, a.role) for a in session.exec(select(RoleAssignment)).all()}
    known_systems = {r.key for r in session.exec(select(SystemRecord)).all()}
    added = 0
    for system in content.systems.values():
        if system.key not in known_systems:
            session.add(SystemRecord(key=system.key, model_version=system.model_version))
        for role in ROLES:
            if (system.key, role) in existing:
                continue
            given = system.role(role)
            person = (
                people.ensure_by_email(session=session, email=given.person, now=now) if given.person else None
            )
            if person is not None:
                person.is_owner = True
            session.add(
                RoleAssignment(
                    system_key=system.key,
                    role=role,
                    person_id=person.id if person else None,
                    backup=given.backup,
                    updated_at=now,
                )
            )
            added += 1
    session.flush()
    _forget_registry(session)
    return added


def assignment(*, session: Session, system: str, role: str) -> RoleAssignment | None:
    return session.exec(
        select(RoleAssignment).where(RoleAssignment.system_key == system, RoleAssignment.role == role)
    ).first()


def assignments(*, session: Session, system: str | None = None) -> Sequence[RoleAssignment]:
    query = select(RoleAssignment)
    if system:
        query = query.where(RoleAssignment.system_key == system)
    return session.exec(query.order_by(RoleAssignment.system_key, RoleAssignment.role)).all()


def holder(*, session: Session, system: str, role: str) -> Person | None:
    """Who acts in the role now: the registry's person, or the backup standing in during a drill."""
    drill = running_drill(session=session, system=system)
    if drill is not None and role in drill.standins:
        return session.get(Person, drill.standins[role])
    return primary(session=session, system=system, role=role)


def primary(*, session: Session, system: str, role: str) -> Person | None:
    """The registry's person for the role, drill or not."""
    found = assignment(session=session, system=system, role=role)
    return session.get(Person, found.person_id) if found and found.person_id else None


def running_drill(*, session: Session, system: str) -> Drill | None:
    """The handover drill running on this system, if any (bot/drills starts and ends them)."""
    drill = _running_drills(session).get(system)
    return drill if drill is not None and drill.ended_at is None else None


def running_drills(*, session: Session) -> list[Drill]:
    return [d for d in _running_drills(session).values() if d.ended_at is None]


def stands_in(*, session: Session, person_id: int) -> bool:
    """Whether the person stands in for someone in a running drill (in a listing: the process's snapshot)."""
    standins = shared(session, name="ownership.standins", tables=("drill",), build=_standins)
    if standins is None:
        return any(person_id in d.standins.values() for d in running_drills(session=session))
    return person_id in standins


def _standins(session: Session) -> frozenset[int]:
    drills = session.exec(select(Drill).where(col(Drill.ended_at).is_(None))).all()
    return frozenset(p for d in drills for p in d.standins.values())


_DRILLS = "ownership.running_drills"  # session.info key: this unit of work's running drills by system


def _running_drills(session: Session) -> dict[str, Drill]:
    """Read once per unit of work: every flag, report and help listing asks, and drills are rare."""
    cached: dict[str, Drill] | None = session.info.get(_DRILLS)
    if cached is None:
        cached = {
            d.system_key: d for d in session.exec(select(Drill).where(col(Drill.ended_at).is_(None))).all()
        }
        session.info[_DRILLS] = cached
    return cached


def forget_drills(session: Session) -> None:
    """A drill was started: the next `running_drill` reads it (an ended one is seen at once)."""
    session.info.pop(_DRILLS, None)


def status(*, session: Session, system: str) -> str:
    """in_use, suspended or retired (bot/decisions changes it)."""
    record = session.get(SystemRecord, system)
    return record.status if record is not None else "in_use"


def set_status(*, session: Session, system: str, status: str, actor_id: int, now: datetime) -> None:
    record = session.get(SystemRecord, system)
    if record is None:
        record = SystemRecord(key=system)
        session.add(record)
    before = record.status
    record.status = status
    audit.record(
        session=session,
        at=now,
        actor_person_id=actor_id,
        action="ownership.status",
        subject=f"system:{system}",
        detail={"before": before, "after": status},
    )
    session.flush()


def backups(*, session: Session, content: Content, system: str, role: str, now: datetime) -> list[Person]:
    """The people behind a role's backup: one person, or every member of its group."""
    found = assignment(session=session, system=system, role=role)
    if found is None or not found.backup:
        return []
    return [people.ensure_by_email(session=session, email=e, now=now) for e in content.members(found.backup)]


def may_act(
    *, session: Session, content: Content, person: Person, system: str, role: str, now: datetime
) -> bool:
    """The holder, a backup, or an admin.

    Help and typo suggestions ask this for every role-gated command and every system on each message, so
    the registry is read once per unit of work (`_registry`) and a backup is matched by email rather than
    looked up (or created) as a person."""
    if person.is_admin:
        return True
    found = _registry(session).get((system, role))
    if found is None:
        return False
    if found.person_id is not None and found.person_id == person.id:
        return True
    email = (person.email or "").strip().lower()
    return bool(email) and any(email == member.strip().lower() for member in content.members(found.backup))


def holds_a_role(*, session: Session, content: Content, person: Person) -> bool:
    """Whether an active person holds or backs up any role of a system in content (as `confirmations.holdings`
    counts them)."""
    if not person.active:
        return False
    email = (person.email or "").strip().lower()
    for (system, role), row in _registry(session).items():
        if system not in content.systems or role not in ROLES:
            continue
        if row.person_id is not None and row.person_id == person.id:
            return True
        if email and any(email == member.strip().lower() for member in content.members(row.backup)):
            return True
    return False


_REGISTRY = "ownership.registry"  # session.info key: this unit of work's role assignments by (system, role)


@dataclass(frozen=True)
class _Grant:
    """A role assignment as listings read it from the process's snapshot."""

    person_id: int | None
    backup: str | None


def _registry(session: Session) -> Mapping[tuple[str, str], RoleAssignment | _Grant]:
    grants = shared(session, name=_REGISTRY, tables=("role_assignment",), build=_grants)
    if grants is not None:
        return grants
    return _assignments(session)


def _grants(session: Session) -> dict[tuple[str, str], _Grant]:
    a = RoleAssignment
    rows = session.connection().execute(
        sa_select(col(a.system_key), col(a.role), col(a.person_id), col(a.backup))
    )
    return {(system, role): _Grant(person_id, backup) for system, role, person_id, backup in rows}


def _assignments(session: Session) -> dict[tuple[str, str], RoleAssignment]:
    cached: dict[tuple[str, str], RoleAssignment] | None = session.info.get(_REGISTRY)
    if cached is None:
        cached = {(a.system_key, a.role): a for a in session.exec(select(RoleAssignment)).all()}
        session.info[_REGISTRY] = cached
    return cached


def _forget_registry(session: Session) -> None:
    """Rows were added: the next `may_act` reads them (changed rows are the same objects, seen at once)."""
    session.info.pop(_REGISTRY, None)


def set_role(
    *,
    session: Session,
    system: str,
    role: str,
    person: Person | None,
    backup: str | None,
    actor_id: int,
    now: datetime,
) -> RoleAssignment:
    found = assignment(session=session, system=system, role=role)
    before = {"person_id": found.person_id, "backup": found.backup} if found else {}
    if found is None:
        found = RoleAssignment(system_key=system, role=role, updated_at=now)
        session.add(found)
        _forget_registry(session)
    found.person_id = person.id if person else None
    if backup is not None:
        found.backup = backup or None
    found.updated_at = now
    found.updated_by = actor_id
    if person is not None:
        person.is_owner = True
    audit.record(
        session=session,
        at=now,
        actor_person_id=actor_id,
        action="ownership.set",
        subject=f"system:{system}:{role}",
        detail={"before": before, "after": {"person_id": found.person_id, "backup": found.backup}},
    )
    session.flush()
    return found


def model_version(*, session: Session, system: str) -> str | None:
    record = session.get(SystemRecord, system)
    return record.model_version if record else None


@dataclass(frozen=True)
class Gap:
    system: str
    role: str | None
    problem: str


def gaps(*, session: Session, content: Content) -> list[Gap]:
    """Unassigned roles, missing backups, one person holding every role, owners who left or can't be reached."""
    found: list[Gap] = []
    for system in content.systems.values():
        rows = {a.role: a for a in assignments(session=session, system=system.key)}
        holders: Counter[int] = Counter()
        for role in ROLES:
            row = rows.get(role)
            label = ROLE_LABELS[role]
            if row is None or row.person_id is None:
                found.append(Gap(system.key, role, f"no {label}"))
                continue
            holders[row.person_id] += 1
            if not row.backup:
                found.append(Gap(system.key, role, f"the {label} has no backup"))
            person = session.get(Person, row.person_id)
            if person is not None and not person.active:
                found.append(Gap(system.key, role, f"the {label} ({_name(person)}) has left"))
            elif (
                person is not None
                and people.reachable_identity(session=session, person_id=row.person_id) is None
            ):
                found.append(
                    Gap(system.key, role, f"the {label} ({_name(person)}) can't be reached on chat yet")
                )
        if holders and max(holders.values()) == len(ROLES):
            person = session.get(Person, holders.most_common(1)[0][0])
            found.append(Gap(system.key, None, f"one person ({_name(person)}) holds every role"))
    return found


def _name(person: Person | None) -> str:
    if person is None:
        return "unknown"
    return person.display_name or person.email or f"person {person.id}"
