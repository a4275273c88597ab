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


# Libraries that log request or response bodies at INFO or below: Bolt writes every refused request
# with its whole body (message text of replayed events, megabytes per unsigned POST), the SDKs their
# payloads. They speak at WARNING unless COACH_LOG_LEVEL=DEBUG asks for everything.
BODY_LOGGERS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "msrest", "msal", "urllib3")


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    numeric = logging.getLevelName(level)
    for name in BODY_LOGGERS:
        logging.getLogger(name).setLevel(numeric if level == "DEBUG" else max(logging.WARNING, numeric))
    # The clock ticks every few seconds; its "job executed" lines would drown everything else.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, numeric))
