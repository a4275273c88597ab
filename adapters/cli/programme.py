"""`coach programme preview KEY --to EMAIL` and `coach programme enrol`."""

from __future__ import annotations

from pathlib import Path

import typer

from adapters.cli.common import settings_or_exit
from bot.content import ContentError, load_content
from bot.people import service as people
from bot.ports import SystemClock
from bot.programmes.enrolment import enrol_emails, preview_to
from bot.store.db import Store

app = typer.Typer(no_args_is_help=True)


@app.command("preview")
def preview(
    key: str = typer.Argument(..., help="Programme key, e.g. assistant"),
    to: str = typer.Option(..., "--to", help="Email of the person who gets every step at once"),
) -> None:
    """Send every step of a programme at once to one person (through the running coach)."""
    settings = settings_or_exit()
    content = _content(settings.content_dir)
    programme = content.programmes.get(key)
    if programme is None:
        typer.echo(
            f"coach: no programme {key!r}; programmes: {', '.join(sorted(content.programmes))}", err=True
        )
        raise typer.Exit(1)
    store = Store(settings.database_url)
    now = SystemClock().now()
    try:
        person = store.run_sync(lambda s: people.ensure_by_email(session=s, email=to, now=now))
        count = store.run_sync(
            lambda s: preview_to(
                session=s, person=s.merge(person), programme=programme, content=content, now=now
            )
        )
    finally:
        store.close()
    typer.echo(f"queued {count} steps of {programme.name} for {to}; `coach run` delivers them")


@app.command("enrol")
def enrol(
    emails: list[str] = typer.Argument(None, help="Emails; or give --file"),
    file: Path | None = typer.Option(
        None, "--file", exists=True, dir_okay=False, help="One email per line (or CSV, first column)"
    ),
    programme_key: str | None = typer.Option(None, "--programme", help="Default: the first programme"),
) -> None:
    """Enrol people by email (an import)."""
    settings = settings_or_exit()
    content = _content(settings.content_dir)
    key = programme_key or settings.default_programme or min(content.programmes)
    programme = content.programmes.get(key)
    if programme is None:
        typer.echo(f"coach: no programme {key!r}", err=True)
        raise typer.Exit(1)
    found = list(emails or [])
    if file is not None:
        for line in file.read_text(encoding="utf-8").splitlines():
            first = line.split(",")[0].strip()
            if "@" in first:
                found.append(first)
    if not found:
        typer.echo("coach: no emails given", err=True)
        raise typer.Exit(1)
    store = Store(settings.database_url)
    now = SystemClock().now()
    try:
        added = store.run_sync(
            lambda s: enrol_emails(
                session=s,
                emails=[e.lower() for e in found],
                programme=programme,
                content=content,
                settings=settings,
                now=now,
                by="import",
            )
        )
    finally:
        store.close()
    typer.echo(
        f"enrolled {added} of {len(found)} in {programme.name} ({len(found) - added} already enrolled)"
    )


def _content(directory: Path):  # type: ignore[no-untyped-def]
    try:
        return load_content(directory)
    except ContentError as exc:
        typer.echo(f"coach: {exc}", err=True)
        raise typer.Exit(2) from None
