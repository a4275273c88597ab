"""`help`, `home` and the welcome on first contact."""

from __future__ import annotations

from bot.help.home import home
from bot.markdown import escape
from bot.messages import Actions, Button, Context, Header, Message, Reply, Text
from bot.routing import Command, Router, may
from bot.turn import Turn


def register(router: Router) -> None:
    router.command(Command("help", "Show what I can do for you", help_command, aliases=("?", "hi", "hello")))
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
