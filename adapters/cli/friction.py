"""`coach friction export`: every friction report as CSV (anonymous reporters stay anonymous)."""

from __future__ import annotations

from pathlib import Path

import typer

from adapters.cli.common import settings_or_exit
from bot.friction import export
from bot.store.db import Store

app = typer.Typer(no_args_is_help=True)


@app.command("export")
def export_command(
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout"),
) -> None:
    """Every report with its status; the reporter column says "anonymous" where they chose so."""
    store = Store(settings_or_exit().database_url)
    try:
        text = store.run_sync(lambda s: export.to_csv(session=s))
    finally:
        store.close()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")
