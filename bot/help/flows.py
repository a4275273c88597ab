"""`help`, `home` and the welcome on first contact."""

from __future__ import annotations

import functools

from bot.help.home import home
from bot.markdown import escape
from bot.messages import Actions, Button, Context, Header, Message, Reply, Text
from bot.routing import Command, Router, Usage, may
from bot.store.snapshot import listing
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
    """Exactly what this person may do: commands (and sub-commands) their roles allow, by topic.

    Who may do what is asked every time (permissions change; from the process's snapshot of roles, drills
    and authors, at most a few seconds behind another process's changes); the message for a given listing and set of
    roles is built once, and, being the same object, rendered once by the adapters (`adapters/rendered`)."""
    with listing(turn.session):  # the rules may answer from the process's snapshot (bot/store/snapshot)
        shown: list[tuple[Command, tuple[Usage, ...]]] = [
            (command, tuple(sub for sub in command.more if may(turn, role=sub.role, allowed=sub.allowed)))
            for command in turn.router.visible_commands(turn)
        ]
    return _help(tuple(shown), tuple(sorted(turn.person.roles)))


@functools.lru_cache(maxsize=256)  # the router's commands are fixed for the process: few distinct listings
def _help(listing: tuple[tuple[Command, tuple[Usage, ...]], ...], roles: tuple[str, ...]) -> Message:
    lines: list[str] = []
    topic = None
    for command, subs in listing:
        if command.topic != topic:
            topic = command.topic
            lines.append(f"\n**{escape(topic)}**")
        lines.append(f"- `{command.usage or command.name}`: {command.summary}")
        lines.extend(f"- `{sub.usage}`: {sub.summary}" for sub in subs)
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
            Context(f"Your roles: {escape(', '.join(roles))}. Type a command, or click a button below."),
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
