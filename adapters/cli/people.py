"""`coach people export EMAIL`: everything the coach stores about one person, as JSON."""

from __future__ import annotations

from pathlib import Path

import typer

import bot.migrations.tables  # noqa: F401  (every table on the metadata, so every one is searched)
from adapters.cli.common import settings_or_exit
from bot.privacy.person_data import export_json
from bot.store.db import Store

app = typer.Typer(no_args_is_help=True)


@app.command("export")
def export_command(
    email: str = typer.Argument(..., help="The person's email"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout"),
) -> None:
    """Every row that names the person (their own, and what refers to them), as JSON."""
    store = Store(settings_or_exit().database_url)
    try:
        text = store.run_sync(lambda s: export_json(session=s, email=email))
    finally:
        store.close()
    if text is None:
        typer.echo(f"nobody with the email {email.strip().lower()} is known", err=True)
        raise typer.Exit(1)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {output}")
