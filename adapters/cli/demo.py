"""`coach demo reset`: the embedded default's example history made again, ending now."""

from __future__ import annotations

import typer

from adapters.cli.common import content_or_exit, database_or_exit, settings_or_exit
from adapters.runtime import seed_ownership
from bot.ports import SystemClock
from bot.store.db import Store

app = typer.Typer(no_args_is_help=True)


@app.command("reset")
def reset_command() -> None:
    """Replace the example organisation's history (people, usage, flags, reports, announcements) with a
    fresh twelve weeks ending now. The demo people keep their roles and conversations."""
    settings = settings_or_exit()
    if not settings.demo_enabled:
        typer.echo(
            "The demo is off here: it runs only with the local chat and no Slack or Teams credential, "
            "and COACH_DEMO not false. Nothing was changed.",
            err=True,
        )
        raise typer.Exit(1)
    database_or_exit(settings)
    content = content_or_exit(settings)
    store = Store(settings.database_url)
    clock = SystemClock()
    try:
        from bot.demo import service as demo

        seed_ownership(store=store, content=content, clock=clock)
        now = clock.now()
        ran = store.run_sync(lambda session: demo.reset(session=session, content=content, now=now))
    finally:
        store.close()
    typer.echo(f"demo re-seeded: {', '.join(ran) or 'nothing to do'}")
