"""`outbox` for admins: what is waiting, stuck or dead, and `outbox retry ID`."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.audit import service as audit
from bot.inbound import row_id
from bot.markdown import escape
from bot.messages import Context, Fact, Facts, Header, Message, Reply, Text, text_message
from bot.outbox import service as outbox
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people.models import Person
from bot.routing import Command, Router
from bot.turn import Turn, UserError

PROBLEM_STATES = (OutboxState.dead, OutboxState.unreachable)


def register(router: Router) -> None:
    router.command(
        Command(
            "outbox",
            "Messages waiting, stuck or dead; `outbox retry ID` sends a dead one again",
            outbox_command,
            usage="outbox [retry ID]",
            role="admin",
            topic="Admin",
            private=True,
        )
    )


def outbox_command(turn: Turn, rest: str) -> list[Reply]:
    words = rest.split()
    if words and words[0] == "retry":
        wanted = row_id(words[1]) if len(words) == 2 else None
        if wanted is None:
            raise UserError("Usage: `outbox retry ID`.")
        row = outbox.retry_now(session=turn.session, row_id=wanted, now=turn.now)
        if row is None:
            raise UserError(f"Outbox message {words[1]} is not dead or unreachable.")
        audit.record(
            session=turn.session,
            at=turn.now,
            actor_person_id=turn.person_id,
            action="outbox.retry",
            subject=f"outbox:{row.id}",
        )
        return [Reply(message=text_message(f"Outbox message {row.id} will be sent again."))]
    return [Reply(message=report(turn.session, turn.now))]


def report(session: Session, now: datetime) -> Message:
    counts = outbox.counts(session=session)
    stuck = outbox.stuck(session=session, now=now)
    problems = outbox.listing(session=session, states=PROBLEM_STATES, limit=10)
    rows = [*stuck, *problems]
    ids = {row.person_id for row in rows if row.person_id is not None}
    persons = (
        {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids))).all()} if ids else {}
    )
    lines = [_line(row, persons.get(row.person_id)) for row in rows]
    return Message(
        summary="Outbox",
        blocks=(
            Header("Outbox"),
            Facts(tuple(Fact(state.value, str(counts.get(state.value, 0))) for state in OutboxState)),
            Text("\n".join(lines) if lines else "Nothing stuck, dead or unreachable. 👍"),
            Context(
                "Dead rows failed every attempt; unreachable ones had nobody to deliver to. `outbox retry ID`."
            ),
        ),
    )


def recipient(row: OutboxMessage, person: Person | None) -> str:
    """Who a row is for, as an admin can act on it: the person's name and email, or the channel."""
    if person is not None:
        name = person.display_name or person.email or f"person {person.id}"
        who = f"{name} ({person.email})" if person.email and person.display_name else name
    elif row.address.get("channel"):
        who = f"channel {row.address['channel']}"
    else:
        who = "nobody named"
    return who if row.platform == "none" else f"{who} on {row.platform}"


def _line(row: OutboxMessage, person: Person | None) -> str:
    error = escape((row.last_error or "")[:160])
    return (
        f"- `{row.id}` {row.state} {escape(row.kind)} for {escape(recipient(row, person))}"
        f" after {row.attempts} attempts: {error}"
    )
