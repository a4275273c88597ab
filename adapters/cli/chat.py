"""`coach chat --as EMAIL`: the local chat in the terminal (the local adapter fills this in)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds the `chat` command to `coach`."""
