"""`owners`: who owns each AI system; `owners set` for admins."""

from __future__ import annotations

from bot.content import ROLES, System
from bot.markdown import escape
from bot.messages import Context, Fact, Facts, Header, Message, Reply, text_message
from bot.ownership import actions, assign, service
from bot.ownership.service import ROLE_LABELS
from bot.people.models import Person
from bot.routing import Command, Router, Usage
from bot.turn import Turn, UserError

USAGE = "owners set ROLE SYSTEM EMAIL [--backup EMAIL|group:NAME]"


def register(router: Router) -> None:
    router.command(
        Command(
            "owners",
            "Who owns each AI system, with backups",
            owners_command,
            usage="owners [SYSTEM]",
            topic="Ownership",
            more=(
                Usage(USAGE, "Give a role of a system to someone, and its backup", role="admin"),
                Usage(
                    "owners left EMAIL",
                    "Someone left: their roles and open flags go to their backups",
                    role="admin",
                ),
                Usage(
                    "owners confirm [SYSTEM]",
                    "Confirm your roles now, or hand them over",
                    allowed=holds_a_role,
                ),
            ),
        )
    )
    actions.register(router)


def holds_a_role(turn: Turn) -> bool:
    """Help asks this on every message: from the registry read once per unit of work, with no person looked
    up or created per backup (`confirmations.holdings` does both, for the cards)."""
    return service.holds_a_role(session=turn.session, content=turn.content, person=turn.person)


def owners_command(turn: Turn, rest: str) -> list[Reply]:
    words = rest.split()
    if words and words[0].lower() == "set":
        turn.require_role("admin")
        return set_command(turn, words[1:])
    if words and words[0].lower() == "left":
        return actions.left_command(turn, words[1] if len(words) > 1 else "")
    if words and words[0].lower() == "confirm":
        return actions.confirm_command(turn, " ".join(words[1:2]))
    systems = list(turn.content.systems.values())
    if words:
        system = turn.content.systems.get(words[0])
        if system is None:
            raise UserError(
                f"I don't know the system {words[0]!r}. Systems: {', '.join(turn.content.systems)}."
            )
        systems = [system]
    return [Reply(message=owners_message(turn, s)) for s in systems]


def owners_message(turn: Turn, system: System) -> Message:
    facts = []
    for role in ROLES:
        row = service.assignment(session=turn.session, system=system.key, role=role)
        holder = turn.session.get(Person, row.person_id) if row and row.person_id else None
        who = _name(holder) if holder else "nobody yet"
        backup = row.backup if row and row.backup else "no backup"
        facts.append(Fact(ROLE_LABELS[role].capitalize(), f"{who} (backup: {backup})"))
    version = service.model_version(session=turn.session, system=system.key) or "not recorded"
    return Message(
        summary=f"Owners of {system.name}",
        blocks=(
            Header(f"{system.name} ({system.key})"),
            Facts(tuple(facts)),
            Context(f"Model version: `{escape(version)}`. Admins change a role with `{escape(USAGE)}`."),
        ),
    )


def set_command(turn: Turn, words: list[str]) -> list[Reply]:
    backup: str | None = None
    if "--backup" in words:
        at = words.index("--backup")
        if at + 1 >= len(words):
            raise UserError(f"Usage: `{USAGE}`")
        backup = words[at + 1].strip("<>").lower()
        words = words[:at] + words[at + 2 :]
    if len(words) != 3:
        raise UserError(f"Usage: `{USAGE}`. Roles: {', '.join(ROLES)}.")
    done = assign.assign(
        session=turn.session,
        content=turn.content,
        role=words[0],
        system=words[1],
        handle=words[2],
        backup=backup,
        actor_id=turn.person_id,
        now=turn.now,
    )
    person, role, system_key = done.person, done.role, done.system
    text = f"{escape(_name(person))} is now the {ROLE_LABELS[role]} of **{escape(turn.content.systems[system_key].name)}**"
    if backup is not None:
        text += f", with {escape(backup)} as backup"
    return [Reply(message=text_message(text + ". The change is in the audit trail."))]


def _name(person: Person) -> str:
    return person.display_name or person.email or f"person {person.id}"
