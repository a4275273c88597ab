"""`coach chat --as EMAIL`: the local chat in the terminal, with an in-process engine and outbox."""

from __future__ import annotations

import asyncio
import logging

import typer

from adapters.cli.common import settings_or_exit


def register(app: typer.Typer) -> None:
    """Adds the `chat` command to `coach`."""
    app.command("chat")(chat)


def chat(
    as_: str = typer.Option(..., "--as", help="Who you are: any email, e.g. ada@example.com"),
    name: str | None = typer.Option(None, "--name", help="Your display name (default: from the email)"),
) -> None:
    """Chat with the coach in this terminal as EMAIL; proactive messages for them arrive live."""
    from adapters.local.identity import clean_email
    from adapters.local.terminal import run_terminal
    from adapters.runtime import build_runtime
    from bot.migrations.migrate import upgrade

    settings = settings_or_exit()
    email = clean_email(as_)
    if email is None:
        typer.echo(f"coach: {as_!r} is not an email address; try --as ada@example.com", err=True)
        raise typer.Exit(2)
    _quiet_logging(settings.log_level)
    try:
        if settings.is_sqlite:
            upgrade(settings.database_url)
        runtime = build_runtime(settings)
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        typer.echo(f"coach: cannot start the chat: {reason}", err=True)
        raise typer.Exit(1) from None
    try:
        asyncio.run(run_terminal(runtime, email=email, name=name))
    except KeyboardInterrupt:
        typer.echo("\nBye!")
    finally:
        runtime.store.close()


class _NoTraceback(logging.Formatter):
    """The chat is the screen: problems get one line; DEBUG shows the full traceback."""

    def formatException(self, ei: object) -> str:
        return ""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = ""
        saved, record.exc_info = record.exc_info, None
        try:
            return super().format(record)
        finally:
            record.exc_info = saved


def _quiet_logging(level: str) -> None:
    handler = logging.StreamHandler()
    if level == "DEBUG":
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(_NoTraceback("coach: %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.DEBUG if level == "DEBUG" else logging.WARNING, handlers=[handler])
