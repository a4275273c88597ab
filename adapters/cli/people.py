"""`coach people export EMAIL` (everything the coach stores about one person, as JSON) and `coach people
forget EMAIL` (erase it)."""

from __future__ import annotations

from pathlib import Path

import typer

import bot.migrations.tables  # noqa: F401  (every table on the metadata, so every one is searched)
from adapters.cli.common import settings_or_exit
from bot.ports import SystemClock
from bot.privacy.forget import forget
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


@app.command("forget")
def forget_command(
    email: str = typer.Argument(..., help="The person's email"),
    yes: bool = typer.Option(False, "--yes", help="Do it without asking"),
) -> None:
    """Erase the person's personal data and identities everywhere; keep anonymous figures."""
    wanted = email.strip().lower()
    if not yes and not typer.confirm(f"Forget {wanted} for good (a backup still holds them until rotated)?"):
        raise typer.Exit(1)
    store = Store(settings_or_exit().database_url)
    now = SystemClock().now()
    try:
        done = store.run_sync(lambda s: forget(session=s, email=wanted, now=now, actor_person_id=None))
    finally:
        store.close()
    if done is None:
        typer.echo(f"nobody with the email {wanted} is known", err=True)
        raise typer.Exit(1)
    typer.echo(f"forgot person {done.person_id}: {done.summary()}")
