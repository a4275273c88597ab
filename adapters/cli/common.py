"""Helpers the CLI modules share: settings that fail with the key's name, the database and content
that fail in one line, logging."""

from __future__ import annotations

import logging

import typer

from adapters import logs
from bot.config import Settings, SettingsError, load_settings, mask_url
from bot.content import Content, ContentError, System, load_content
from bot.migrations.migrate import DatabaseUnreachable, SchemaStatus, check_database, upgrade

log = logging.getLogger(__name__)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        typer.echo(f"coach: {exc}", err=True)
        raise typer.Exit(2) from None


def reach_database_or_exit(settings: Settings) -> SchemaStatus:
    """Where the database's schema stands; one line naming the (masked) URL and the cause, and exit 1,
    when the database does not answer."""
    try:
        return check_database(settings.database_url)
    except DatabaseUnreachable as exc:
        typer.echo(f"coach: cannot reach the database at {mask_url(settings.database_url)}: {exc}", err=True)
        raise typer.Exit(1) from None


def database_or_exit(settings: Settings) -> None:
    """Before serving: the database answers and its schema is one this code runs on. SQLite is brought
    up to date here; PostgreSQL is migrated by the operator (`coach db upgrade`), so an older schema is
    one line and exit 1. A newer one is a rolling upgrade: newer code migrated it, and this runs on it."""
    status = reach_database_or_exit(settings)
    if status.newer:
        log.warning(
            "the database is at %s, newer than this version: a rolling upgrade", ", ".join(status.newer)
        )
    elif settings.is_sqlite:
        upgrade(settings.database_url)
    elif status.behind:
        typer.echo(f"coach: {status.explain()}: run `coach db upgrade`", err=True)
        raise typer.Exit(1)


def content_or_exit(settings: Settings) -> Content:
    try:
        return load_content(settings.content_dir)
    except ContentError as exc:
        typer.echo(f"content/ has problems; run `coach content check`: {exc}", err=True)
        raise typer.Exit(1) from None


def system_or_exit(content: Content, key: str) -> System:
    found = content.systems.get(key)
    if found is None:
        typer.echo(
            f"coach: no system {key!r} in systems.yaml (systems: {', '.join(content.systems)})", err=True
        )
        raise typer.Exit(2)
    return found


# Libraries that log request or response bodies at INFO or below: Bolt writes every refused request
# with its whole body (message text of replayed events, megabytes per unsigned POST), the SDKs their
# payloads. They speak at WARNING unless COACH_LOG_LEVEL=DEBUG asks for everything.
BODY_LOGGERS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "msrest", "msal", "urllib3")


def configure_logging(level: str, fmt: str = "text", *, background: bool = False) -> None:
    logs.configure(level=level, fmt=fmt, background=background)
    numeric = logging.getLevelName(level)
    for name in BODY_LOGGERS:
        logging.getLogger(name).setLevel(numeric if level == "DEBUG" else max(logging.WARNING, numeric))
    # The clock ticks every few seconds; its "job executed" lines would drown everything else.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, numeric))
