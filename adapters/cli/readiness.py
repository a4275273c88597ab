"""`coach readiness [--json]`: per AI system its score and failing checks (the same as the chat and API)."""

from __future__ import annotations

import json

import typer

from adapters.cli.common import content_or_exit, settings_or_exit
from adapters.runtime import seed_ownership
from bot.ports import SystemClock
from bot.readiness.checks import SystemReadiness, report
from bot.store.db import Store


def register(app: typer.Typer) -> None:
    app.command("readiness")(readiness_command)


def readiness_command(
    as_json: bool = typer.Option(False, "--json", help="Print the API's JSON instead of text"),
) -> None:
    """Per AI system: a 0–100 readiness score and the checks that fail, with reasons."""
    settings = settings_or_exit()
    content = content_or_exit(settings)
    store = Store(settings.database_url)
    clock = SystemClock()
    try:
        seed_ownership(store=store, content=content, clock=clock)
        now = clock.now()
        systems: list[SystemReadiness] = store.run_sync(lambda s: report(session=s, content=content, now=now))
    finally:
        store.close()
    typer.echo(render(systems, as_json=as_json))


def render(systems: list[SystemReadiness], *, as_json: bool) -> str:
    if as_json:
        return json.dumps({"systems": [s.as_json() for s in systems]}, indent=2)
    lines: list[str] = []
    for item in systems:
        lines.append(f"{item.key} ({item.name}): {item.score}/100")
        failing = item.failing
        lines.extend(f"  ✗ {c.name} (×{c.weight}): {c.reason}" for c in failing)
        if not failing:
            lines.append("  every check passes")
    return "\n".join(lines)
