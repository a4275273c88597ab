"""`coach usage import FILE.csv`: load usage events with the API's columns."""

from __future__ import annotations

from pathlib import Path

import typer

from adapters.cli.common import content_or_exit, settings_or_exit
from bot.people import service as people
from bot.ports import SystemClock
from bot.store.db import Store
from bot.usage import service
from bot.usage.parse import Rules, UsageError, parse_csv

app = typer.Typer(no_args_is_help=True)


@app.command("import")
def import_csv(path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True)) -> None:
    """Import a CSV with columns id, person, system, at[, kind, value]."""
    settings = settings_or_exit()
    content = content_or_exit(settings)
    now = SystemClock().now()
    try:
        events = parse_csv(path.read_text(encoding="utf-8"), rules=Rules(systems=content.systems, now=now))
    except UsageError as exc:
        for error in exc.errors:
            where = f"{error.field}: " if error.field else ""
            typer.echo(f"{path}:{exc.line or 1}: {where}{error.reason}", err=True)
        raise typer.Exit(1) from None
    store = Store(settings.database_url)
    try:
        result = store.run_sync(
            lambda s: service.ingest(
                session=s,
                events=events,
                people=people.ids_by_handle(session=s, handles={e.person for e in events}),
                now=now,
            )
        )
    finally:
        store.close()
    typer.echo(
        f"{result.received} events read, {result.stored} new, {result.unknown_people} for unknown people"
    )
