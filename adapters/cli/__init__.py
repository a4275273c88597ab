"""The `coach` command: the composition root for the server and the operator's tools.

Each command group lives in its own module and is added here.
"""

from __future__ import annotations

import typer

from adapters.cli import (
    announcements,
    chat,
    content,
    database,
    demo,
    doctor,
    evidence,
    friction,
    handover,
    manifest,
    outbox,
    outcomes,
    ownership,
    people,
    programme,
    readiness,
    server,
    usage,
)

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Adoption Coach")
server.register(app)
doctor.register(app)
chat.register(app)
readiness.register(app)
handover.register(app)
evidence.register(app)
outcomes.register(app)
app.add_typer(manifest.app, name="manifest", help="Slack app manifest and Teams app package")
app.add_typer(database.app, name="db", help="Database migrations")
app.add_typer(outbox.app, name="outbox", help="Pending, stuck and dead outgoing messages")
app.add_typer(programme.app, name="programme", help="Preview and enrol")
app.add_typer(announcements.app, name="announcements", help="Export an announcement's per-recipient CSV")
app.add_typer(friction.app, name="friction", help="Export friction reports as CSV")
app.add_typer(ownership.app, name="ownership", help="Write the ownership registry back into systems.yaml")
app.add_typer(usage.app, name="usage", help="Import usage events")
app.add_typer(demo.app, name="demo", help="The local demo's example history")
app.add_typer(people.app, name="people", help="Export or forget everything stored about a person")
app.add_typer(content.app, name="content", help="Check programmes, templates and systems.yaml")


def main() -> None:
    app()
