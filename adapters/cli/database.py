"""`coach db upgrade`: apply Alembic migrations to COACH_DATABASE_URL."""

from __future__ import annotations

import typer

from adapters.cli.common import reach_database_or_exit, settings_or_exit
from bot.migrations.migrate import upgrade

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Bring the database schema up to date."""
    settings = settings_or_exit()
    status = reach_database_or_exit(settings)
    if status.newer:
        typer.echo(f"database at {', '.join(status.newer)}, newer than this version: nothing to upgrade")
        return
    upgrade(settings.database_url, revision=revision)
    typer.echo(f"database at {revision}")
