"""`coach usage import FILE.csv`: load usage events with the API's columns."""

from __future__ import annotations

from pathlib import Path

import typer

from adapters.cli.common import settings_or_exit
from bot.ports import SystemClock
from bot.store.db import Store
from bot.usage import service
from bot.usage.parse import UsageError, parse_csv

app = typer.Typer(no_args_is_help=True)


@app.command("import")
def import_csv(path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True)) -> None:
    """Import a CSV with columns id, person, system, at[, kind, value]."""
    settings = settings_or_exit()
    try:
        events = parse_csv(path.read_text(encoding="utf-8"))
    except UsageError as exc:
        typer.echo(f"{path}:{exc.line or 1}: {exc.field + ': ' if exc.field else ''}{exc.reason}", err=True)
        raise typer.Exit(1) from None
    store = Store(settings.database_url)
    try:
        now = SystemClock().now()
        result = store.run_sync(lambda s: service.ingest(session=s, events=events, now=now))
    finally:
        store.close()
    typer.echo(
        f"{result.received} events read, {result.stored} new, {result.unknown_people} for unknown people"
    )
