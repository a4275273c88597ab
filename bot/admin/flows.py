"""`admins` (list, add, remove): who runs the coach."""

from __future__ import annotations

from bot.attention import notify
from bot.audit import service as audit
from bot.markdown import escape
from bot.messages import Reply, text_message
from bot.people import service as people
from bot.routing import Command, Router
from bot.turn import Turn, UserError


def register(router: Router) -> None:
    router.command(
        Command(
            "admins",
            "List, add or remove admins",
            admins_command,
            usage="admins [add|remove EMAIL]",
            role="admin",
            topic="Admin",
            private=True,
        )
    )


def admins_command(turn: Turn, rest: str) -> list[Reply]:
    verb, _, handle = rest.partition(" ")
    verb = verb.lower()
    if verb in ("", "list"):
        names = [
            f"- {escape(p.display_name or p.email or str(p.id))}" for p in people.admins(session=turn.session)
        ]
        return [Reply(message=text_message("**Admins**\n" + "\n".join(names)))]
    if verb not in ("add", "remove") or not handle.strip():
        raise UserError("Usage: `admins`, `admins add EMAIL` or `admins remove EMAIL`.")
    target = people.find(session=turn.session, handle=handle)
    if target is None and verb == "add" and "@" in handle:
        target = people.ensure_by_email(session=turn.session, email=handle, now=turn.now)
    if target is None:
        raise UserError(f"I don't know anyone called {handle.strip()}. Use their email address.")
    if verb == "remove" and target.id == turn.person_id and len(people.admins(session=turn.session)) == 1:
        raise UserError("You are the last admin; add another admin before removing yourself.")
    target.is_admin = verb == "add"
    audit.record(
        session=turn.session,
        at=turn.now,
        actor_person_id=turn.person_id,
        action=f"admin.{verb}",
        subject=f"person:{target.id}",
    )
    who = escape(target.display_name or target.email or "them")
    if verb == "add":
        notify(
            session=turn.session,
            now=turn.now,
            person=target,
            message=text_message(
                f"{escape(turn.person.display_name or 'An admin')} made you an **admin** of the adoption coach. "
                "Type `help` to see the admin commands."
            ),
            key=f"admin.add:{target.id}:{turn.now.isoformat()}",
        )
        return [Reply(message=text_message(f"{who} is now an admin. I've let them know."))]
    return [Reply(message=text_message(f"{who} is no longer an admin."))]
