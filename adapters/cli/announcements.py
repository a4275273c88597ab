"""`coach announcements export ID [--out FILE]`: one announcement's per-recipient CSV."""

from __future__ import annotations

from pathlib import Path

import typer

from adapters.cli.common import settings_or_exit
from bot.announcements import report, service
from bot.store.db import Store

app = typer.Typer(no_args_is_help=True)


@app.command("export")
def export(
    announcement_id: int,
    out: Path | None = typer.Option(None, "--out", help="Write the CSV here instead of to stdout"),
) -> None:
    """Recipients with their delivery state, acknowledgement time and question count, as CSV."""
    store = Store(settings_or_exit().database_url)

    def work(session):  # type: ignore[no-untyped-def]
        found = service.get(session=session, announcement_id=announcement_id)
        return None if found is None else report.csv_text(session=session, announcement=found)

    try:
        text = store.run_sync(work)
    finally:
        store.close()
    if text is None:
        typer.echo(f"coach: no announcement {announcement_id}", err=True)
        raise typer.Exit(1)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")
