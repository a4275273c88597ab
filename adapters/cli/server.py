"""`coach run` and `coach config`."""

from __future__ import annotations

import ipaddress
import logging

import typer

from adapters.cli.common import configure_logging, database_or_exit, settings_or_exit
from adapters.runtime import build_runtime
from adapters.web.access_log import access_logger
from adapters.web.app import build_app, freeze_heap_at_startup
from adapters.web.stopping import serve
from bot.config import Settings, masked

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("config")(config)


def run() -> None:
    """Serve everything configured on COACH_HOST:COACH_PORT."""
    settings = settings_or_exit()
    configure_logging(settings.log_level, settings.log_format, background=True)
    refuse_remote_local_chat(settings)
    refuse_local_chat_beside_platforms(settings)
    database_or_exit(settings)
    runtime = build_runtime(settings)
    app = build_app(runtime)
    freeze_heap_at_startup(app)
    surfaces = [
        name
        for name, on in (
            ("local web chat", settings.local_chat_enabled),
            ("Slack", settings.slack_enabled),
            ("Teams", settings.teams_enabled),
        )
        if on
    ]
    typer.echo(f"Adoption Coach on http://{settings.host}:{settings.port}/ serving: {', '.join(surfaces)}")
    serve(
        app,
        host=settings.host,
        port=settings.port,
        access_log_class=access_logger(settings.access_log_sample),
    )


def config() -> None:
    """Print the effective configuration, secrets masked."""
    settings = settings_or_exit()
    for key, value in masked(settings).items():
        typer.echo(f"{key}={value}")


def refuse_remote_local_chat(settings: Settings) -> None:
    """The local chat lets anyone act as anyone: loopback only, unless forced."""
    if not settings.local_chat_enabled or _is_loopback(settings.host):
        return
    if not settings.local_chat_force_remote:
        typer.echo(
            f"coach: refusing to serve the local chat on {settings.host}: it lets anyone act as anyone. "
            "Bind 127.0.0.1, set COACH_LOCAL_CHAT=false, or set COACH_LOCAL_CHAT_FORCE_REMOTE=true.",
            err=True,
        )
        raise typer.Exit(2)
    log.warning(
        "!!! the local chat is served on %s: ANYONE who reaches it can act as ANYONE !!!", settings.host
    )


def refuse_local_chat_beside_platforms(settings: Settings) -> None:
    """A local tab typing someone's email acts as their Slack or Teams person: not beside those, unless
    forced."""
    served = (("Slack", settings.slack_enabled), ("Teams", settings.teams_enabled))
    platforms = " and ".join(name for name, on in served if on)
    if not settings.local_chat_enabled or not platforms:
        return
    if not settings.local_chat_force_with_platforms:
        typer.echo(
            f"coach: refusing to serve the local chat beside {platforms}: a tab typing someone's email "
            f"acts as their {platforms} person. Unset COACH_LOCAL_CHAT, or set "
            "COACH_LOCAL_CHAT_FORCE_WITH_PLATFORMS=true.",
            err=True,
        )
        raise typer.Exit(2)
    log.warning(
        "!!! the local chat is served beside %s: ANYONE who opens it can act as ANY of its people !!!",
        platforms,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
