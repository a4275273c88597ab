"""The outcomes report as a chat message: per system a headline for the last week and the trend."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.markdown import escape
from bot.messages import Block, Context, Header, Message, Text
from bot.outcomes.service import SystemOutcomes, Week


def outcomes_message(systems: Sequence[SystemOutcomes], *, weeks: int) -> Message:
    title = "Outcomes: the last 7 days" if weeks == 1 else f"Outcomes: the last {weeks} weeks"
    blocks: list[Block] = [Header(title)]
    for system in systems:
        blocks.append(Text(_headline(system)))
        if len(system.weeks) > 1:
            blocks.append(Text(_trend(system.weeks)))
    blocks.append(
        Context(
            "A week is 7 days ending now. Time saved adds people's answers to the `minutes_saved` question "
            "and usage events of kind `minutes_saved`. `outcomes SYSTEM [weeks N]` shows one system; "
            "`coach outcomes --json` and `GET /api/v1/outcomes` give the figures."
        )
    )
    return Message(summary=title, blocks=tuple(blocks))


def _headline(system: SystemOutcomes) -> str:
    week = system.weeks[-1]
    before = system.weeks[-2] if len(system.weeks) > 1 else None
    active = f"{week.active_users} in the last 7 days"
    if before is not None:
        active += f" ({before.active_users} the week before; {week.went_quiet} went quiet)"
    stages = ", ".join(f"{n} {stage}" for stage, n in system.stages.items() if n)
    saved = f"{_hours(week.hours_saved)} in the last 7 days"
    if week.estimates or week.minutes_measured:
        saved += f" ({_plural(week.estimates, 'estimate')} from people, {_hours(week.minutes_measured / 60)} measured)"
    flags = f"{week.flags_raised} raised, {week.flags_answered} answered"
    if week.flags_answered:
        flags += f" ({week.answered_within_sla} within SLA, median {week.median_hours_to_answer} h to answer)"
    rated = week.helpful + week.not_helpful
    if rated:
        flags += f"; the answer helped in {week.helpful} of {rated} rated"
    lines = [
        f"**{escape(system.name)}** ({escape(system.key)})",
        f"- **Active users**: {active}",
        f"- **Habitual**: {system.habitual} of {system.enrolled} enrolled"
        + (f" ({stages})" if stages else ""),
        f"- **Time saved**: {saved}",
        f"- **Friction**: {week.friction_new} new, {week.friction_fixed} fixed, {system.friction_open} open",
        f"- **Flagged outputs**: {flags}, {system.flags_open} waiting for an answer",
    ]
    return "\n".join(lines)


def _trend(weeks: Sequence[Week]) -> str:
    def series(name: str, value: Callable[[Week], str]) -> str:
        return f"- {name}: " + " · ".join(value(w) for w in weeks)

    return "\n".join(
        (
            "Week by week, oldest first:",
            series("active users", lambda w: str(w.active_users)),
            series("hours saved", lambda w: f"{w.hours_saved:.0f}"),
            series("friction reports", lambda w: str(w.friction_new)),
            series("flags raised", lambda w: str(w.flags_raised)),
        )
    )


def _hours(hours: float) -> str:
    return f"{hours:.1f} h" if hours < 10 else f"{hours:.0f} h"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
