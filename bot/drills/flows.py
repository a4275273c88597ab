"""`drill SYSTEM N days` and `drill stop SYSTEM` (admins), `drill note SYSTEM TEXT` (stand-ins), `drill`
(what runs, and the last reports)."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.content import System
from bot.drills import hooks, service
from bot.drills import messages as m
from bot.markdown import escape
from bot.messages import Reply, text_message
from bot.ownership import service as ownership
from bot.ownership.models import Drill
from bot.people.models import Person
from bot.policy.model import Kind
from bot.routing import Command, Router, Usage
from bot.schedule import service as schedule
from bot.turn import Turn, UserError

USAGE = "drill SYSTEM N days"
_START = re.compile(r"^(\S+)\s+(\d{1,3})\s*(?:days?|d)?$", re.IGNORECASE)
NOTE_MAX = 500


def register(router: Router) -> None:
    router.command(
        Command(
            "drill",
            "Handover drills: what runs, and the last reports",
            drill_command,
            usage="drill",
            topic="Ownership",
            allowed=may_drill,
            private=True,
            more=(
                Usage(USAGE, "Run a handover drill: backups stand in for every primary", role="admin"),
                Usage("drill stop SYSTEM", "Stop a drill now and get its report", role="admin"),
                Usage(
                    "drill note SYSTEM TEXT",
                    "During a drill: note what needed the primary",
                    allowed=stands_in,
                ),
            ),
        )
    )


def stands_in(turn: Turn) -> bool:
    return ownership.stands_in(session=turn.session, person_id=turn.person_id)


def may_drill(turn: Turn) -> bool:
    return turn.person.is_admin or stands_in(turn)


def drill_command(turn: Turn, rest: str) -> list[Reply]:
    if not may_drill(turn):
        raise UserError("Only admins run handover drills. Type `help` to see what you can do.")
    word, _, tail = rest.strip().partition(" ")
    if word.lower() == "note":
        return _note(turn, tail.strip())
    turn.require_role("admin")
    if not word:
        return [Reply(message=text_message(_overview(turn)))]
    if word.lower() == "stop":
        return _stop(turn, tail.strip())
    match = _START.match(rest.strip())
    if match is None:
        raise UserError(f"Usage: `{USAGE}` (e.g. `drill assistant 5 days`), or `drill stop SYSTEM`.")
    return _start(turn, _system(turn, match.group(1)), int(match.group(2)))


def _system(turn: Turn, key: str) -> System:
    system = turn.content.systems.get(key)
    if system is None:
        raise UserError(f"I don't know the system {key!r}. Systems: {', '.join(turn.content.systems)}.")
    return system


def _name(person: Person | None) -> str:
    if person is None:
        return "nobody"
    return person.display_name or person.email or f"person {person.id}"


def _start(turn: Turn, system: System, days: int) -> list[Reply]:
    if not system.drills:
        raise UserError(
            f"Drills are opt-in: set `drills: true` for {system.key} in systems.yaml, then try again."
        )
    if not 1 <= days <= service.MAX_DAYS:
        raise UserError(f"A drill lasts 1 to {service.MAX_DAYS} days.")
    if service.running(session=turn.session, system=system.key) is not None:
        raise UserError(f"A drill already runs on {system.name}. `drill stop {system.key}` ends it.")
    plan = service.plan(session=turn.session, content=turn.content, system=system, now=turn.now)
    if not plan.standins:
        raise UserError(f"No role of {system.name} has a backup who could stand in: name backups first.")
    ends = turn.now + timedelta(days=days)
    drill = service.start(
        session=turn.session,
        system=system.key,
        plan=plan,
        started_by=turn.person_id,
        now=turn.now,
        ends_at=ends,
    )
    schedule.upsert(
        session=turn.session,
        kind=hooks.END,
        subject=f"drill:{drill.id}:end",
        due_at=ends,
        now=turn.now,
        payload={"drill": drill.id},
    )
    _brief(turn, drill, system)
    standins = service.people_of(turn.session, plan.standins)
    lines = [
        f"- {escape(role.replace('_', ' '))}: {escape(_name(standins[role]))} stands in"
        for role in plan.standins
    ]
    lines += [
        f"- {escape(role.replace('_', ' '))}: no backup, stays with the primary" for role in plan.uncovered
    ]
    text = (
        f"**{drill.reference}** runs on **{escape(system.name)}** for {days} days. The backups were told it "
        "is a drill; the primaries are left alone.\n"
        + "\n".join(lines)
        + f"\n`drill stop {system.key}` ends it now."
    )
    return [Reply(message=text_message(text))]


def _brief(turn: Turn, drill: Drill, system: System) -> None:
    primaries = service.people_of(turn.session, drill.primaries)
    by_standin: dict[int, list[tuple[str, str]]] = {}
    for role, person_id in drill.standins.items():
        by_standin.setdefault(person_id, []).append((role, _name(primaries.get(role))))
    for person_id, roles in by_standin.items():
        person = turn.session.get(Person, person_id)
        if person is None:
            continue
        ends = f"{drill.ends_at:%a %d %b %H:%M} UTC"
        turn.attention.deliver(
            person,
            m.briefing(drill=drill, system_name=system.name, roles=roles, ends=ends),
            key=f"drill:{drill.id}:briefing:{person_id}",
            kind=Kind.escalation_notice,
            # Critical: the drill's flags go to them at once, and must not arrive before they know
            # it is a drill.
            critical=True,
        )


def _stop(turn: Turn, key: str) -> list[Reply]:
    system = _system(turn, key)
    drill = service.running(session=turn.session, system=system.key)
    if drill is None:
        raise UserError(f"No drill runs on {system.name}.")
    schedule.cancel(session=turn.session, subject_prefix=f"drill:{drill.id}:")
    report = service.finish(
        session=turn.session, content=turn.content, drill=drill, now=turn.now, stopped_by=turn.person_id
    )
    message = hooks.send_report(
        session=turn.session,
        content=turn.content,
        settings=turn.settings,
        drill=drill,
        report=report,
        now=turn.now,
        skip=turn.person_id,
    )
    return [Reply(message=message)]


def _note(turn: Turn, rest: str) -> list[Reply]:
    key, _, text = rest.partition(" ")
    system = _system(turn, key) if key else None
    if system is None or not text.strip():
        raise UserError("Usage: `drill note SYSTEM WHAT YOU NEEDED FROM THE PRIMARY`.")
    drill = service.running(session=turn.session, system=system.key)
    if drill is None or turn.person_id not in drill.standins.values():
        raise UserError(f"You are not standing in for anyone on {system.name} right now.")
    if len(text) > NOTE_MAX:
        raise UserError(f"Keep a note under {NOTE_MAX} characters, please.")
    service.note(session=turn.session, drill=drill, person_id=turn.person_id, text=text.strip(), now=turn.now)
    return [Reply(message=text_message("Noted for the drill's report. Thank you."), ephemeral=True)]


def _overview(turn: Turn) -> str:
    lines = []
    for key, system in turn.content.systems.items():
        if not system.drills:
            continue
        drill = service.running(session=turn.session, system=key)
        last = service.latest_finished(session=turn.session, system=key)
        if drill is not None:
            lines.append(
                f"- **{escape(system.name)}**: {drill.reference} runs until {drill.ends_at:%a %d %b %H:%M} UTC"
            )
        elif last is not None:
            verdict = "held" if service.held(last.report) else "did not fully hold"
            lines.append(f"- **{escape(system.name)}**: last drill {last.reference} {verdict}")
        else:
            lines.append(f"- **{escape(system.name)}**: no drill yet")
    if not lines:
        return "No system has drills switched on (`drills: true` in systems.yaml)."
    return "**Handover drills**\n" + "\n".join(lines) + f"\n`{USAGE}` starts one."
