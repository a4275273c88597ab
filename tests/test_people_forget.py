"""`coach people forget EMAIL`: the person's data is gone from every table, figures others rely on stay,
and one audit entry without personal data says it happened. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel
from typer.testing import CliRunner

import bot.migrations.tables  # noqa: F401  (every table on the metadata)
from adapters.cli import app
from adapters.runtime import Runtime
from bot.migrations.migrate import FOREIGN_TABLES
from bot.privacy.forget import FORGOTTEN, RULES
from tests.escalations.helpers import flag, meet
from tests.friction.helpers import ADA, OMAR, UMA, file_report

KEPT = ("escalation", "friction_report", "enrolment", "announcement_recipient", "pulse_answer", "usage_event")


def test_every_table_has_a_forget_rule() -> None:
    tables = set(SQLModel.metadata.tables) | FOREIGN_TABLES
    assert set(RULES) == tables, (
        f"bot/privacy/forget.py RULES: missing {sorted(tables - set(RULES))}, gone {sorted(set(RULES) - tables)}"
    )


@pytest.fixture
def env(runtime: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("COACH_DATABASE_URL", database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(Path(__file__).resolve().parents[1] / "content"))
    return runtime


def _everything(runtime: Runtime) -> str:
    def read(session):  # type: ignore[no-untyped-def]
        rows = {}
        for table in SQLModel.metadata.tables.values():
            rows[table.name] = [dict(r._mapping) for r in session.execute(select(table))]
        return json.dumps(rows, default=str, ensure_ascii=False)

    return str(runtime.store.run_sync(read))


def _counts(runtime: Runtime) -> dict[str, int]:
    tables = SQLModel.metadata.tables
    return runtime.store.run_sync(
        lambda s: {name: int(s.execute(select(func.count()).select_from(tables[name])).scalar_one()) for name in KEPT}
    )


async def test_forget_erases_the_person_everywhere_and_keeps_the_figures(env: Runtime) -> None:
    await meet(env, UMA, OMAR, ADA)
    await flag(env, UMA, "The contract renews in March 2027; ask uma@example.com")
    await file_report(env, UMA)
    before = _everything(env)
    assert "uma@example.com" in before
    counts = _counts(env)

    result = CliRunner().invoke(app, ["people", "forget", "Uma@Example.com", "--yes"])
    assert result.exit_code == 0, result.output
    assert "kept anonymised" in result.output and "deleted: " in result.output

    after = _everything(env)
    assert "uma@example.com" not in after.lower()
    assert "omar@example.com" in after and "Omar" in after  # nobody else is touched
    assert _counts(env) == counts  # figures that count her stay
    assert FORGOTTEN in after
    audit = env.store.run_sync(
        lambda s: s.execute(
            select(SQLModel.metadata.tables["auditentry"]).where(
                SQLModel.metadata.tables["auditentry"].c.action == "people.forget"
            )
        ).one()
    )
    assert audit.subject.startswith("person:") and "uma" not in json.dumps(audit.detail).lower()
    assert CliRunner().invoke(app, ["people", "export", "uma@example.com"]).exit_code == 1


def test_forgetting_nobody_is_said_so(env: Runtime) -> None:
    result = CliRunner().invoke(app, ["people", "forget", "nobody@example.com", "--yes"])
    assert result.exit_code == 1 and "nobody with the email" in result.output


async def test_admins_export_and_forget_in_chat_and_nobody_else(env: Runtime) -> None:
    from tests.announcements.helpers import texts
    from tests.programmes.harness import say

    await meet(env, UMA, ADA)
    refused = await say(env, UMA, "people export ada@example.com")
    assert "Only admins" in texts(refused)
    shown = await say(env, ADA, "people export uma@example.com")
    assert shown[0].ephemeral and "Everything stored about uma@example.com" in texts(shown)
    assert "identity" in texts(shown)
    asked = await say(env, ADA, "people forget uma@example.com")
    assert "people forget uma@example.com confirm" in texts(asked)
    assert "uma@example.com" in _everything(env)  # nothing happens without confirm
    done = await say(env, ADA, "people forget uma@example.com confirm")
    assert done[0].ephemeral and "Forgot person" in texts(done)
    assert "uma@example.com" not in _everything(env)


def test_names_are_erased_as_whole_words() -> None:
    from bot.privacy.forget import _replaced

    terms = {"Uma", "uma@example.com"}
    assert _replaced("Uma asked Umar; write to uma@example.com.", terms) == (
        f"{FORGOTTEN} asked Umar; write to {FORGOTTEN}."
    )
    assert _replaced({"text": ["Hi Uma"]}, terms) == {"text": [f"Hi {FORGOTTEN}"]}
