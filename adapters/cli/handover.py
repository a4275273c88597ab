"""`coach handover SYSTEM [--html]`: the handover pack a new team starts from, as Markdown or a printable page."""

from __future__ import annotations

import typer

from adapters.cli.common import content_or_exit, settings_or_exit, system_or_exit
from adapters.runtime import seed_ownership
from bot.handover import pack
from bot.handover.document import to_html, to_markdown
from bot.ports import SystemClock
from bot.store.db import Store


def register(app: typer.Typer) -> None:
    app.command("handover")(handover_command)


def handover_command(
    system: str = typer.Argument(..., help="The system's key in systems.yaml"),
    as_html: bool = typer.Option(False, "--html", help="A printable HTML page instead of Markdown"),
) -> None:
    """A system's handover pack: owners, runbook, open work, SLA history, FAQ, decisions, versions,
    programme figures, the last drill and the readiness verdict with the fix for each failing check."""
    settings = settings_or_exit()
    content = content_or_exit(settings)
    found = system_or_exit(content, system)
    store = Store(settings.database_url)
    clock = SystemClock()
    try:
        seed_ownership(store=store, content=content, clock=clock)
        now = clock.now()
        doc = store.run_sync(lambda s: pack.build(session=s, content=content, system=found, now=now))
    finally:
        store.close()
    typer.echo(to_html(doc) if as_html else to_markdown(doc), nl=False)
