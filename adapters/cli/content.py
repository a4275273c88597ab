"""`coach content check [DIR]` (the content package fills this in)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
