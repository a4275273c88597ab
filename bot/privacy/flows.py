"""`people export EMAIL` and `people forget EMAIL` for admins in chat, answered to the admin alone."""

from __future__ import annotations

from typing import Any

from bot.markdown import escape
from bot.messages import Block, Context, Fact, Facts, Header, Message, Reply, Text, text_message
from bot.people import service as people
from bot.privacy.forget import RULES, forget
from bot.privacy.person_data import export
from bot.routing import Command, Router
from bot.turn import Turn, UserError

USAGE = "Usage: `people export EMAIL` or `people forget EMAIL`."


def register(router: Router) -> None:
    router.command(
        Command(
            "people",
            "Everything stored about a person (`people export EMAIL`), or erase it (`people forget EMAIL`)",
            people_command,
            usage="people export|forget EMAIL",
            role="admin",
            topic="Admin",
            private=True,
        )
    )


def people_command(turn: Turn, rest: str) -> list[Reply]:
    words = rest.split()
    if len(words) not in (2, 3) or words[0] not in ("export", "forget") or "@" not in words[1]:
        raise UserError(USAGE)
    email = words[1].strip().lower()
    if words[0] == "export" and len(words) == 2:
        return [Reply(message=_export(turn, email), ephemeral=True)]
    if words[0] == "forget":
        return [Reply(message=_forget(turn, email, confirmed=words[2:] == ["confirm"]), ephemeral=True)]
    raise UserError(USAGE)


def _export(turn: Turn, email: str) -> Message:
    person = people.by_email(session=turn.session, email=email)
    if person is None:
        raise UserError(f"Nobody with the email {escape(email)} is known.")
    data = export(session=turn.session, person=person)
    blocks: list[Block] = [
        Header(f"Everything stored about {email}"),
        Facts(tuple(Fact(table, str(len(rows))) for table, rows in sorted(data["tables"].items()))),
        Text(_rows("person", [data["person"]])),
    ]
    blocks += [Text(_rows(table, rows)) for table, rows in sorted(data["tables"].items())]
    blocks.append(Context("`coach people export EMAIL` writes the same as JSON."))
    return Message(summary=f"Everything stored about {email}", blocks=tuple(blocks))


def _rows(table: str, rows: list[dict[str, Any]]) -> str:
    lines = [f"*{escape(table)}*"]
    for row in rows:
        shown = "; ".join(
            f"{escape(key)}: {escape(str(value))}" for key, value in row.items() if value not in (None, "")
        )
        lines.append(f"• {shown}")
    return "\n".join(lines)


def _forget(turn: Turn, email: str, *, confirmed: bool) -> Message:
    if people.by_email(session=turn.session, email=email) is None:
        raise UserError(f"Nobody with the email {escape(email)} is known.")
    if not confirmed:
        kept = "\n".join(f"• *{escape(table)}*: {escape(rule)}" for table, rule in sorted(RULES.items()))
        return text_message(
            f"Forgetting {escape(email)} erases their personal data and identities everywhere, for good "
            f"(database backups keep them until they are rotated). What happens in each table:\n{kept}\n\n"
            f"Type `people forget {escape(email)} confirm` to do it."
        )
    done = forget(session=turn.session, email=email, now=turn.now, actor_person_id=turn.person_id)
    assert done is not None
    return text_message(f"Forgot person {done.person_id}. {escape(done.summary())}.")
