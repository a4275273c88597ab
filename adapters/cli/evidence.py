"""`coach evidence SYSTEM [--from DATE] [--to DATE] [--html] [--export FILE]` and `coach evidence verify FILE`."""

from __future__ import annotations

from pathlib import Path

import typer

from adapters.cli.common import content_or_exit, settings_or_exit, system_or_exit
from adapters.runtime import seed_ownership
from bot.evidence import chain, records, report
from bot.handover.document import to_html, to_markdown
from bot.ports import SystemClock
from bot.store.db import Store


def register(app: typer.Typer) -> None:
    app.command("evidence")(evidence_command)


def evidence_command(
    system: str = typer.Argument(..., help="The system's key in systems.yaml, or `verify`"),
    file: Path | None = typer.Argument(None, help="With `verify`: the export to check"),
    start: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD (default: all records)"),
    end: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (default: now)"),
    as_html: bool = typer.Option(False, "--html", help="A printable HTML page instead of Markdown"),
    export: Path | None = typer.Option(
        None, "--export", help="Also write the records, hash-chained, as JSON Lines"
    ),
) -> None:
    """Per duty that applies to the system (content/duties.yaml), the records that evidence it and what is
    missing. Evidence to support an assessment, not legal advice. `coach evidence verify FILE` checks an export."""
    if system == "verify":
        _verify(file)
        return
    settings = settings_or_exit()
    content = content_or_exit(settings)
    found_system = system_or_exit(content, system)
    clock = SystemClock()
    now = clock.now()
    try:
        period = records.Period.of(start, end, now)
    except ValueError as exc:
        typer.echo(f"coach: {exc}", err=True)
        raise typer.Exit(2) from None
    store = Store(settings.database_url)
    try:
        seed_ownership(store=store, content=content, clock=clock)
        found = store.run_sync(
            lambda s: records.gather(session=s, content=content, system=found_system, period=period, now=now)
        )
    finally:
        store.close()
    doc = report.build(found)
    typer.echo(to_html(doc) if as_html else to_markdown(doc), nl=False)
    if export is not None:
        text, head = chain.export(found.export_records())
        export.write_text(text, encoding="utf-8")
        typer.echo(
            f"coach: wrote {export} ({len(text.splitlines())} lines); head hash {head}: keep it apart from the file",
            err=True,
        )


def _verify(file: Path | None) -> None:
    if file is None:
        typer.echo("coach: usage: coach evidence verify FILE", err=True)
        raise typer.Exit(2)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"coach: cannot read {file}: {exc}", err=True)
        raise typer.Exit(2) from None
    verdict = chain.verify(text)
    typer.echo(f"{file}: {verdict.message}")
    if not verdict.ok:
        raise typer.Exit(1)
