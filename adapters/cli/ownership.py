"""`coach ownership export`: the ownership registry written back into systems.yaml."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from adapters.cli.common import content_or_exit, settings_or_exit
from adapters.runtime import seed_ownership
from bot.ownership import export
from bot.ports import SystemClock
from bot.store.db import Store

app = typer.Typer(no_args_is_help=True)


@app.command("export")
def export_command(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write here instead of over the content directory's systems.yaml"
    ),
) -> None:
    """The roles and backups as the coach holds them now (changes made in chat included)."""
    settings = settings_or_exit()
    content = content_or_exit(settings)
    source_path = Path(settings.content_dir) / "systems.yaml"
    store = Store(settings.database_url)
    try:
        seed_ownership(store=store, content=content, clock=SystemClock())
        source = source_path.read_text(encoding="utf-8")
        text, problems = store.run_sync(lambda s: export.export_yaml(session=s, source=source))
    finally:
        store.close()
    target = output or source_path
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)  # never a half-written systems.yaml
    for problem in problems:
        typer.echo(f"warning: {problem}", err=True)
    typer.echo(f"wrote {target}")
