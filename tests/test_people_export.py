"""`coach people export EMAIL`: every table is searched for the person (or named as holding nobody), and
the export holds what they did, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import SQLModel
from typer.testing import CliRunner

import bot.migrations.tables  # noqa: F401  (every table on the metadata)
from adapters.cli import app
from adapters.runtime import Runtime
from bot.privacy.person_data import INDIRECT, NOT_PERSONAL, person_columns
from tests.announcements.helpers import UMA
from tests.programmes.harness import say


def test_every_table_is_searched_for_a_person_or_holds_nobody() -> None:
    tables = SQLModel.metadata.tables
    searched = {name for name, table in tables.items() if person_columns(table)} | set(INDIRECT)
    assert not searched & set(NOT_PERSONAL) - {"person"}, "a table both searched and said to hold nobody"
    missing = set(tables) - searched - set(NOT_PERSONAL)
    assert not missing, f"tables bot/privacy/person_data.py does not account for: {sorted(missing)}"
    assert not set(NOT_PERSONAL) - set(tables), "NOT_PERSONAL names a table that is gone"


@pytest.fixture
def env(runtime: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("COACH_DATABASE_URL", database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(Path(__file__).resolve().parents[1] / "content"))
    return runtime


async def test_the_export_holds_what_the_person_did(env: Runtime) -> None:
    await say(env, UMA, "hi")
    await say(env, UMA, "flag The contract renews in March 2027")
    result = CliRunner().invoke(app, ["people", "export", "Uma@Example.com"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["person"]["email"] == "uma@example.com"
    assert {"identity", "enrolment", "flag_draft"} <= set(data["tables"])
    assert data["tables"]["flag_draft"][0]["output_text"] == "The contract renews in March 2027"
    assert all(row["person_id"] == data["person"]["id"] for row in data["tables"]["enrolment"])


def test_nobody_by_that_email_is_said_so(env: Runtime) -> None:
    result = CliRunner().invoke(app, ["people", "export", "nobody@example.com"])
    assert result.exit_code == 1 and "nobody with the email nobody@example.com" in result.output
