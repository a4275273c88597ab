"""`coach outcomes [--system KEY] [--weeks N] [--json] [--history]`: the outcomes report (the same as the chat and API)."""

from __future__ import annotations

import json

import typer

from adapters.cli.common import content_or_exit, settings_or_exit
from bot.outcomes.service import MAX_WEEKS, SystemOutcomes, outcomes
from bot.ports import SystemClock
from bot.privacy.retention import history
from bot.store.db import Store


def register(app: typer.Typer) -> None:
    app.command("outcomes")(outcomes_command)


def outcomes_command(
    system: str = typer.Option("", "--system", help="One system's key (default: every system)"),
    weeks: int = typer.Option(4, "--weeks", min=1, max=MAX_WEEKS, help="Weeks of 7 days ending now"),
    as_json: bool = typer.Option(False, "--json", help="Print the API's JSON instead of text"),
    past: bool = typer.Option(
        False,
        "--history",
        help="Every past calendar week kept in the weekly rollup, as JSON (raw rows may be gone)",
    ),
) -> None:
    """Per AI system, week by week: active and habitual users, time saved, friction reports, flagged outputs."""
    settings = settings_or_exit()
    content = content_or_exit(settings)
    if system and system not in content.systems:
        typer.echo(f"no system {system!r}; systems: {', '.join(content.systems)}", err=True)
        raise typer.Exit(2)
    store = Store(settings.database_url)
    if past:
        keys = [system] if system else list(content.systems)
        try:
            rolled = store.run_sync(lambda s: {key: history(session=s, system=key) for key in keys})
        finally:
            store.close()
        typer.echo(json.dumps({"systems": rolled}, indent=2))
        return
    now = SystemClock().now()
    try:
        found: list[SystemOutcomes] = store.run_sync(
            lambda s: outcomes(
                session=s,
                content=content,
                now=now,
                min_group=settings.min_group_size,
                weeks=weeks,
                system=system or None,
            )
        )
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({"generated_at": now.isoformat(), "weeks": weeks,
                               "systems": [s.as_json() for s in found]}, indent=2))  # fmt: skip
    else:
        typer.echo(render(found))


def render(systems: list[SystemOutcomes]) -> str:
    lines: list[str] = []
    for item in systems:

        def few(n: int | None, k: int = item.min_group) -> str:
            return f"<{k}" if n is None else str(n)  # withheld: too few people to stay anonymous

        lines.append(f"{item.key} ({item.name}): {few(item.habitual)} habitual of {few(item.enrolled)} enrolled, "
                     f"{item.friction_open} friction reports open, {item.flags_open} flags waiting")  # fmt: skip
        lines.append(
            "  week to      active  quiet  hours saved  friction new/fixed  flags raised/answered  within SLA"
        )
        for w in item.weeks:
            lines.append(f"  {w.end:%Y-%m-%d}  {few(w.active_users):>6}  {few(w.went_quiet):>5}  {w.hours_saved:>11.1f}  "
                         f"{w.friction_new:>12}/{w.friction_fixed:<5}  {w.flags_raised:>12}/{w.flags_answered:<8}  "
                         f"{w.answered_within_sla:>10}")  # fmt: skip
    return "\n".join(lines)
