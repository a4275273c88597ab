"""What a recorded decision sets going.

- retrain, replace, roll back: the change communicator (or, without one, the admins) is asked to
  announce the new model version; the announcement records it, and readiness checks it was announced.
- suspend use, retire: the system is marked out of use (its programmes' nudges stop: see
  `bot.programmes.due`) and its users are told, in chunks, as due work (`hooks`).
- keep, after a suspension: the system is back in use.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.content import System
from bot.decisions import service
from bot.decisions.models import Decision, DecisionKind
from bot.markdown import escape
from bot.messages import OPEN_FORM, Actions, Button, Message, Text
from bot.ownership import service as ownership
from bot.people import service as people
from bot.people.models import Person
from bot.policy.model import Kind
from bot.schedule import service as schedule
from bot.turn import Turn

ANNOUNCER = "change_communicator"
COMPOSE_FORM = "announcements.compose"
TELL_USERS = "decisions.tell_users"


def drill_of(turn: Turn, system: str) -> int | None:
    """The drill this act happens in, when the actor stands in for a primary during one."""
    drill = ownership.running_drill(session=turn.session, system=system)
    if drill is None or turn.person_id not in drill.standins.values():
        return None
    return drill.id


def drill_note(session: Session, system: str) -> str:
    drill = ownership.running_drill(session=session, system=system)
    if drill is None:
        return ""
    return f"\n\n_This is a handover drill ({drill.reference}): you are standing in for the primary._"


def tell(turn: Turn, person: Person, message: Message, *, key: str, critical: bool = False) -> None:
    turn.attention.deliver(person, message, key=key, kind=Kind.escalation_notice, critical=critical)


def follow_up(turn: Turn, system: System, decision: Decision) -> list[str]:
    """Set the decision's consequences going; returns sentences for the decider's confirmation."""
    kind = DecisionKind(decision.kind)
    done: list[str] = []
    if kind in service.VERSION_CHANGING:
        done.append(_ask_to_announce(turn, system, decision))
    if kind in service.OUT_OF_USE:
        state = service.OUT_OF_USE[kind]
        ownership.set_status(
            session=turn.session, system=system.key, status=state, actor_id=turn.person_id, now=turn.now
        )
        schedule.upsert(
            session=turn.session,
            kind=TELL_USERS,
            subject=f"decisions:{decision.id}:tell_users",
            due_at=turn.now,
            now=turn.now,
            payload={"decision": decision.id, "after": 0},
        )
        done.append(
            f"{escape(system.name)} is now {state}: its programme sends no more nudges, and its users are being told."
        )
    if kind == DecisionKind.keep and ownership.status(session=turn.session, system=system.key) == "suspended":
        ownership.set_status(
            session=turn.session, system=system.key, status="in_use", actor_id=turn.person_id, now=turn.now
        )
        done.append(f"{escape(system.name)} is in use again.")
    return done


def _ask_to_announce(turn: Turn, system: System, decision: Decision) -> str:
    communicator = ownership.holder(session=turn.session, system=system.key, role=ANNOUNCER)
    recipients = [communicator] if communicator is not None else list(people.admins(session=turn.session))
    version = (
        f"model version `{escape(decision.model_version)}`"
        if decision.model_version
        else "the new model version"
    )
    message = Message(
        summary=f"Please announce a model change to {system.name}",
        blocks=(
            Text(
                f"**{escape(_name(turn.person))}** decided to **{escape(service.KINDS[DecisionKind(decision.kind)])}** "
                f"{escape(system.name)} ({decision.reference}). Please tell its users what changes, with "
                f"{version} in the announcement, once it is live." + drill_note(turn.session, system.key)
            ),
            Actions(
                (Button(OPEN_FORM, "Compose the announcement", value=f"{COMPOSE_FORM}|", style="primary"),)
            ),
        ),
    )
    for person in recipients:
        tell(turn, person, message, key=f"decisions:{decision.id}:announce:{person.id}")
    if communicator is None:
        return "Nobody communicates changes for this system, so the admins were asked to announce it."
    return f"{escape(_name(communicator))} (change communicator) is asked to announce it."


def _name(person: Person) -> str:
    return person.display_name or person.email or f"person {person.id}"
