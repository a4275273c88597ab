"""`coach outbox`: pending, stuck and dead rows; `coach outbox retry ID`."""

from __future__ import annotations

import typer

from adapters.cli.common import settings_or_exit
from bot.outbox import service
from bot.outbox.flows import recipient
from bot.outbox.models import OutboxState
from bot.people import service as people
from bot.ports import SystemClock
from bot.store.db import Store

app = typer.Typer(invoke_without_command=True)


@app.callback()
def show(ctx: typer.Context, limit: int = typer.Option(20, help="Rows to list per state")) -> None:
    """Counts per state, then stuck, dead and unreachable rows with their errors."""
    if ctx.invoked_subcommand is not None:
        return
    store = Store(settings_or_exit().database_url)
    now = SystemClock().now()
    try:
        counts = store.run_sync(lambda s: service.counts(session=s))
        stuck = store.run_sync(lambda s: service.stuck(session=s, now=now, limit=limit))
        problems = store.run_sync(
            lambda s: service.listing(
                session=s, states=[OutboxState.dead, OutboxState.unreachable], limit=limit
            )
        )
        ids = [row.person_id for row in (*stuck, *problems) if row.person_id is not None]
        persons = store.run_sync(lambda s: people.by_ids(session=s, person_ids=ids))
    finally:
        store.close()
    typer.echo("  ".join(f"{state.value}={counts.get(state.value, 0)}" for state in OutboxState))
    for title, rows in (("stuck", stuck), ("dead or unreachable", problems)):
        typer.echo(f"\n{title}: {len(rows)}")
        for row in rows:
            who = recipient(row, None if row.person_id is None else persons.get(row.person_id))
            typer.echo(
                f"  {row.id}\t{row.state}\t{row.kind}\t{who}\tattempts={row.attempts}\t"
                f"{row.idempotency_key}\t{(row.last_error or '')[:120]}"
            )


@app.command("retry")
def retry(row_id: int) -> None:
    """Send a dead or unreachable row again."""
    store = Store(settings_or_exit().database_url)
    try:
        row = store.run_sync(lambda s: service.retry_now(session=s, row_id=row_id, now=SystemClock().now()))
    finally:
        store.close()
    if row is None:
        typer.echo(f"coach: outbox row {row_id} is not dead or unreachable", err=True)
        raise typer.Exit(1)
    typer.echo(f"outbox row {row_id} queued again")
