"""Helpers the CLI modules share: settings that fail with the key's name, content, logging."""

from __future__ import annotations

import logging

import typer

from bot.config import Settings, SettingsError, load_settings
from bot.content import Content, ContentError, load_content


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        typer.echo(f"coach: {exc}", err=True)
        raise typer.Exit(2) from None


def content_or_exit(settings: Settings) -> Content:
    try:
        return load_content(settings.content_dir)
    except ContentError as exc:
        typer.echo(f"content/ has problems; run `coach content check`: {exc}", err=True)
        raise typer.Exit(1) from None


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # The clock ticks every few seconds; its "job executed" lines would drown everything else.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
