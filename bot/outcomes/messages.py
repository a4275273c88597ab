"""The outcomes report as a chat message: per system a headline for the last week and the trend."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence

from bot import charts
from bot.charts import Chart, Series
from bot.markdown import escape
from bot.messages import Block, Context, Header, Image, Message, Text
from bot.outcomes.service import SystemOutcomes, Week


def outcomes_message(systems: Sequence[SystemOutcomes], *, weeks: int) -> Message:
    title = "Outcomes: the last 7 days" if weeks == 1 else f"Outcomes: the last {weeks} weeks"
    blocks: list[Block] = [Header(title)]
    for system in systems:
        blocks.append(Text(_headline(system)))
        if len(system.weeks) > 1:
            blocks.append(Text(_trend(system)))
    picture = chart_image(systems)
    if picture is not None:
        blocks.append(picture)
    blocks.append(
        Context(
            "A week is 7 days ending now. Time saved adds people's answers to the `minutes_saved` question "
            "and usage events of kind `minutes_saved`. Groups too small to keep people anonymous are not "
            "counted. `outcomes SYSTEM [weeks N]` shows one system; `coach outcomes --json` and "
            "`GET /api/v1/outcomes` give the figures."
        )
    )
    return Message(summary=title, blocks=tuple(blocks))


def chart_image(systems: Sequence[SystemOutcomes]) -> Image | None:
    """Active users per week, a line per system, as a PNG small enough for a Teams card (~12 KB)."""
    shown = [s for s in systems if len(s.weeks) > 1]
    if not shown:
        return None
    labels = tuple(f"{w.start.day} {w.start:%b}" for w in shown[0].weeks)
    chart = Chart(
        key="outcomes-active",
        title="Active users per week, by AI system",
        unit="people",
        labels=labels,
        series=tuple(
            Series(s.name, tuple(None if w.active_users is None else float(w.active_users) for w in s.weeks))
            for s in shown
        ),
    )
    numbers = "; ".join(
        f"{s.name}: "
        + ", ".join(
            "fewer than " + str(s.min_group) if w.active_users is None else str(w.active_users)
            for w in s.weeks
        )
        for s in shown
    )
    png = charts.png(chart, width=5.6, height=2.6, dpi=72)
    return Image(
        png=base64.b64encode(png).decode(),
        alt=f"Active users per week, oldest first. {numbers}",
        title="outcomes-active-users",
    )


def _headline(system: SystemOutcomes) -> str:
    few = _people_counter(system.min_group)
    week = system.weeks[-1]
    before = system.weeks[-2] if len(system.weeks) > 1 else None
    active = f"{few(week.active_users)} in the last 7 days"
    if before is not None:
        active += f" ({few(before.active_users)} the week before; {few(week.went_quiet)} went quiet)"
    stages = ", ".join(f"{few(n)} {stage}" for stage, n in system.stages.items() if n != 0)
    saved = f"{_hours(week.hours_saved)} in the last 7 days"
    if week.estimates is None:
        saved += f" ({_hours(week.minutes_measured / 60)} measured; fewer than {system.min_group} people estimated)"
    elif week.estimates or week.minutes_measured:
        saved += f" ({_plural(week.estimates, 'estimate')} from people, {_hours(week.minutes_measured / 60)} measured)"
    flags = f"{week.flags_raised} raised, {week.flags_answered} answered"
    if week.flags_answered:
        flags += f" ({week.answered_within_sla} within SLA, median {week.median_hours_to_answer} h to answer)"
    if week.helpful is None or week.not_helpful is None:
        flags += f"; fewer than {system.min_group} people rated the answers"
    elif week.helpful + week.not_helpful:
        flags += f"; the answer helped in {week.helpful} of {week.helpful + week.not_helpful} rated"
    lines = [
        f"**{escape(system.name)}** ({escape(system.key)})",
        f"- **Active users**: {active}",
        f"- **Enrolled**: {few(system.enrolled)}, of whom {few(system.habitual)} habitual"
        + (f" ({stages})" if stages else ""),
        f"- **Time saved**: {saved}",
        f"- **Friction**: {week.friction_new} new, {week.friction_fixed} fixed, {system.friction_open} open",
        f"- **Flagged outputs**: {flags}, {system.flags_open} waiting for an answer",
    ]
    return "\n".join(lines)


def _people_counter(min_group: int) -> Callable[[int | None], str]:
    """How a count of people reads: the number, or "fewer than K" where it was withheld."""
    return lambda n: f"fewer than {min_group}" if n is None else str(n)


def _trend(system: SystemOutcomes) -> str:
    def series(name: str, value: Callable[[Week], str]) -> str:
        return f"- {name}: " + " · ".join(value(w) for w in system.weeks)

    few = f"<{system.min_group}"
    return "\n".join(
        (
            "Week by week, oldest first:",
            series("active users", lambda w: few if w.active_users is None else str(w.active_users)),
            series("hours saved", lambda w: f"{w.hours_saved:.0f}"),
            series("friction reports", lambda w: str(w.friction_new)),
            series("flags raised", lambda w: str(w.flags_raised)),
        )
    )


def _hours(hours: float) -> str:
    return f"{hours:.1f} h" if hours < 10 else f"{hours:.0f} h"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
