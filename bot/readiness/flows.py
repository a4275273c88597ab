"""`readiness` in chat (owners and admins); an admin's first contact creates the weekly gap check."""

from __future__ import annotations

from datetime import datetime

from bot.markdown import escape
from bot.messages import Context, Header, Message, Reply, Text
from bot.ownership import weekly_check
from bot.readiness import service
from bot.readiness.checks import SystemReadiness, report
from bot.routing import Command, Router
from bot.turn import Turn


def register(router: Router) -> None:
    router.command(
        Command(
            "readiness",
            "How ready each AI system is: owners, backups, SLA, runbook, programme, announcements",
            readiness_command,
            role="owner",
            topic="Ownership",
            private=True,
        )
    )
    router.on_first_contact.append(_first_contact)


def readiness_command(turn: Turn, _rest: str) -> list[Reply]:
    systems = report(session=turn.session, content=turn.content, now=turn.now)
    trends = {s.key: service.trend(session=turn.session, system=s.key) for s in systems}
    return [Reply(message=readiness_message(systems, trends))]


def trend_words(weeks: list[tuple[datetime, int]]) -> str:
    """ "Weekly: 42 → 46 → 52 (since 2026-11-09)", or "" before the first weekly check."""
    if not weeks:
        return ""
    return f"Weekly: {' → '.join(str(score) for _, score in weeks)} (since {weeks[0][0]:%Y-%m-%d})"


def readiness_message(
    systems: list[SystemReadiness], trends: dict[str, list[tuple[datetime, int]]] | None = None
) -> Message:
    blocks: list[Header | Text | Context] = [Header("Readiness of the AI systems")]
    for item in systems:
        lines = [
            f"- {'✅' if c.ok else '❌'} **{escape(c.name)}** (×{c.weight}): {escape(c.reason)}"
            for c in item.checks
        ]
        trend = trend_words((trends or {}).get(item.key, []))
        head = f"**{escape(item.name)}** ({escape(item.key)}): **{item.score}/100**"
        blocks.append(Text(head + (f"\n{escape(trend)}" if trend else "")))
        blocks.append(Text("\n".join(lines)))
    blocks.append(Context(WEIGHING))
    blocks.append(Context("Admins fix role gaps with `owners set`; `owners SYSTEM` shows who holds what."))
    return Message(summary="Readiness of the AI systems", blocks=tuple(blocks))


WEIGHING = (
    "The score weighs evidence over declarations: what people did (confirmed roles, backups who handled a "
    "flag, drift reviews, a drill that held) counts ×3, outcomes measured (SLA, reachability, announcements) "
    "×2, what content declares (named roles, a runbook link, a programme) ×1."
)


def _first_contact(turn: Turn) -> list[Reply]:
    if turn.person.is_admin:
        weekly_check.ensure(session=turn.session, now=turn.now)
    return []
