"""`outcomes [SYSTEM] [weeks N]` in chat, for system owners and admins."""

from __future__ import annotations

from bot.markdown import escape
from bot.messages import Reply
from bot.outcomes.messages import outcomes_message
from bot.outcomes.service import outcomes
from bot.routing import Command, Router
from bot.turn import Turn, UserError

DEFAULT_WEEKS = 4
# A chat turn is a unit of work (on SQLite, the one writer); a year of figures takes seconds with a
# busy system's usage, so longer spans are for `coach outcomes` and the API, which read beside it.
CHAT_MAX_WEEKS = 12


def register(router: Router) -> None:
    router.command(
        Command(
            "outcomes",
            "What each AI system brings: active and habitual users, time saved, friction and flags, week by week",
            outcomes_command,
            usage="outcomes [SYSTEM] [weeks N]",
            role="owner",
            topic="Ownership",
            private=True,
        )
    )
    router.action("outcomes.show", lambda turn, _event: _shown_to_owners(turn))


def outcomes_command(turn: Turn, rest: str) -> list[Reply]:
    system, weeks = parse(rest, systems=tuple(turn.content.systems))
    found = outcomes(
        session=turn.session,
        content=turn.content,
        now=turn.now,
        min_group=turn.settings.min_group_size,
        weeks=weeks,
        system=system,
    )
    return [Reply(message=outcomes_message(found, weeks=weeks))]


def _shown_to_owners(turn: Turn) -> list[Reply]:
    turn.require_role("owner")  # the button is only on owners' and admins' home, but a click is a request
    return outcomes_command(turn, "")


def parse(rest: str, *, systems: tuple[str, ...]) -> tuple[str | None, int]:
    """('assistant', 8) from 'assistant weeks 8', 'weeks 8 assistant' or 'assistant 8'."""
    system: str | None = None
    weeks = DEFAULT_WEEKS
    for word in rest.lower().replace(",", " ").split():
        if word in ("weeks", "week"):
            continue
        if word.isascii() and word.isdigit():
            weeks = int(word)
            if not 1 <= weeks <= CHAT_MAX_WEEKS:
                raise UserError(
                    f"In chat, weeks go from 1 to {CHAT_MAX_WEEKS}; `coach outcomes --weeks N` and the API "
                    "go back a year."
                )
        elif word in systems:
            system = word
        else:
            raise UserError(
                f"I don't know the system {escape(word)}. Systems: {', '.join(f'`{s}`' for s in systems)}. "
                "Usage: `outcomes [SYSTEM] [weeks N]`."
            )
    return system, weeks
