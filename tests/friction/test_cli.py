"""`coach friction export` through typer, against a real database file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from adapters.cli import friction as cli
from adapters.runtime import Runtime
from bot.ports import FixedClock
from tests.conftest import PROJECT
from tests.friction.helpers import UMA, file_report, say


async def test_export_writes_csv(
    runtime: Runtime, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.advance(microseconds=123456)  # a real clock's times carry microseconds
    await say(runtime, UMA, "hi")
    await file_report(runtime, UMA, anonymous="yes")
    monkeypatch.setenv("COACH_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(PROJECT / "content"))
    app = typer.Typer()
    app.add_typer(cli.app, name="friction")
    out = tmp_path / "friction.csv"
    result = CliRunner().invoke(app, ["friction", "export", "--output", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("reference,created_at,system")
    assert lines[1].startswith("FR-1,") and ",anonymous," in lines[1] and "uma" not in lines[1]
    (row,) = csv.DictReader(lines)
    assert row["created_at"] == "2026-11-23T09:00:00+00:00"  # ISO 8601 to the second, with zone
