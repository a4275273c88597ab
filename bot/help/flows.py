"""`help`, the welcome on first contact, and `admins` (list, add, remove)."""

from __future__ import annotations

from bot.attention import notify
from bot.audit import service as audit
from bot.help.home import home
from bot.markdown import escape
from bot.messages import Actions, Button, Context, Header, Message, Reply, Text, text_message
from bot.people import service as people
from bot.routing import Command, Router, may
from bot.turn import Turn, UserError


def register(router: Router) -> None:
    router.command(Command("help", "Show what I can do for you", help_command, aliases=("?", "hi", "hello")))
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
    router.action("help.show", lambda turn, _event: help_command(turn, ""))
    router.command(Command("home", "Your progress, open flags and reports, and quick actions", home_command))
    router.home = home
    router.on_first_contact.append(welcome)


def home_command(turn: Turn, _rest: str) -> list[Reply]:
    return home(turn)


def help_command(turn: Turn, _rest: str) -> list[Reply]:
    return [Reply(message=help_message(turn))]


def help_message(turn: Turn) -> Message:
    """Exactly what this person may do: commands (and sub-commands) their roles allow, by topic."""
    lines: list[str] = []
    topic = None
    for command in turn.router.visible_commands(turn):
        if command.topic != topic:
            topic = command.topic
            lines.append(f"\n**{escape(topic)}**")
        lines.append(f"- `{command.usage or command.name}`: {command.summary}")
        for sub in command.more:
            if may(turn, role=sub.role, allowed=sub.allowed):
                lines.append(f"- `{sub.usage}`: {sub.summary}")
    role_names = ", ".join(sorted(turn.person.roles))
    return Message(
        summary="Here is what I can do for you",
        blocks=(
            Header("Here is what I can do for you"),
            Text("\n".join(lines).strip()),
            Actions(
                (
                    Button("form.open", "Flag an AI output", value="escalation.flag|"),
                    Button("form.open", "Something's not working", value="friction.report|"),
                )
            ),
            Context(f"Your roles: {escape(role_names)}. Type a command, or click a button below."),
        ),
    )


def welcome(turn: Turn) -> list[Reply]:
    name = escape(turn.person.first_name)
    return [
        Reply(
            message=Message(
                summary=f"Welcome, {turn.person.first_name}!",
                blocks=(
                    Text(
                        f"**Welcome, {name}!** I'm your adoption coach. I'll help you get value from "
                        "the AI tools your team is rolling out, take your feedback to the people who "
                        "own them, and keep you posted when they change."
                    ),
                    Actions((Button("help.show", "Show me what you can do", style="primary"),)),
                ),
            ),
            # Met first in a channel (a mention, a thread reply): the welcome is theirs, not the channel's.
            ephemeral=not turn.event.place.is_direct,
        )
    ]


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
