"""`handover SYSTEM` in chat: the system's owners and backups and admins get the pack's summary, privately."""

from __future__ import annotations

from bot.handover import pack
from bot.handover.messages import summary
from bot.messages import Reply
from bot.ownership import service as ownership
from bot.ownership.service import ROLE_LABELS
from bot.routing import Command, Router
from bot.turn import Turn, UserError


def register(router: Router) -> None:
    router.command(
        Command(
            "handover",
            "A system's handover pack: owners, runbook, open work, SLA, decisions, versions, drill, readiness",
            handover_command,
            usage="handover SYSTEM",
            allowed=owns_something,
            topic="Ownership",
            private=True,
        )
    )


def owns_something(turn: Turn) -> bool:
    return turn.person.is_admin or any(_owns(turn, key) for key in turn.content.systems)


def _owns(turn: Turn, system: str) -> bool:
    return any(
        ownership.may_act(
            session=turn.session,
            content=turn.content,
            person=turn.person,
            system=system,
            role=role,
            now=turn.now,
        )
        for role in ROLE_LABELS
    )


def handover_command(turn: Turn, rest: str) -> list[Reply]:
    if not owns_something(turn):
        raise UserError("Only system owners, their backups and admins can read a handover pack.")
    word = rest.strip().split()[0] if rest.strip() else ""
    systems = ", ".join(turn.content.systems)
    if not word:
        raise UserError(f"Usage: `handover SYSTEM`. Systems: {systems}.")
    system = turn.content.systems.get(word)
    if system is None:
        raise UserError(f"I don't know the system {word!r}. Systems: {systems}.")
    if not _owns(turn, system.key):
        raise UserError(f"Only {system.name}'s owners, their backups and admins can read its handover pack.")
    doc = pack.build(session=turn.session, content=turn.content, system=system, now=turn.now)
    return [Reply(message=summary(doc, system.key))]
