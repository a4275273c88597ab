"""`coach doctor`: check the configuration end to end and print each failure with its fix."""

from __future__ import annotations

import asyncio

import typer

from adapters.cli.common import settings_or_exit
from adapters.doctor.report import Finding, next_step
from bot.config import SettingsError
from bot.store.db import Store

MARKS = {"ok": "ok  ", "fail": "FAIL", "info": "--  "}


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor() -> None:
    """Check settings, database, content, Slack and Teams; exit 1 when anything fails."""
    from adapters.doctor.run import examine

    settings = settings_or_exit()
    store = Store(settings.database_url)
    try:
        findings = asyncio.run(examine(settings, store=store))
    except SettingsError as exc:
        typer.echo(f"coach: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        store.close()
    for finding in findings:
        typer.echo(line(finding))
    failed = [f for f in findings if f.failed]
    typer.echo(f"\n{len(failed)} problem(s). Next step: {next_step(findings)}")
    if failed:
        raise typer.Exit(1)


def line(finding: Finding) -> str:
    text = f"{MARKS[finding.status]} {finding.area}: {finding.check}"
    if finding.detail:
        text += f": {finding.detail}"
    if finding.failed:
        text += f"\n       fix: {finding.fix}"
    return text
