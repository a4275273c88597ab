"""Readiness on the shipped content: a realistic mix of passes and gaps, in chat, the CLI and the API;
and the weekly gap check to admins."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from typer.testing import CliRunner

from adapters.cli.readiness import readiness_command
from adapters.runtime import Runtime
from adapters.web.app import build_app
from adapters.web.readiness_api import mount
from bot.ownership.weekly_check import WEEKLY_SUBJECT
from bot.readiness.checks import readiness
from bot.schedule import service as schedule
from tests.escalations.helpers import ADA, BEA, OMAR, UMA, click, flag, install, meet, words
from tests.programmes.harness import run_until, say


def checks(runtime: Runtime) -> dict[str, dict[str, tuple[bool, str]]]:
    now = runtime.clock.now()
    found = runtime.store.run_sync(lambda s: readiness(session=s, content=runtime.content, now=now))
    return {item.key: {c.name: (c.ok, c.reason) for c in item.checks} for item in found}


async def test_shipped_content_shows_a_realistic_mix_with_reasons(runtime: Runtime) -> None:
    found = checks(runtime)
    compass, clauses = found["assistant"], found["contract-review"]
    assert compass["roles named with backups"][0] is True
    assert compass["owners reachable"] == (False, compass["owners reachable"][1])
    assert "can't be reached on chat yet" in compass["owners reachable"][1]
    assert compass["runbook present"][0] and compass["programme present"][0]
    assert compass["backups have handled an escalation"] == (
        False,
        "no backup (bea@example.com) has handled an escalation yet",
    )
    assert compass["SLA met over the last 30 days"][0] and compass["no open escalations past SLA"][0]
    ok, reason = compass["current model version announced"]
    assert not ok and "compass-2026-11" in reason

    assert clauses["roles named with backups"][0] is False
    assert "no change communicator" in clauses["roles named with backups"][1]
    assert clauses["runbook present"] == (False, "no runbook link in systems.yaml")
    assert clauses["programme present"][0] is False


async def test_escalation_history_moves_the_checks(runtime: Runtime) -> None:
    install(runtime)
    await meet(runtime, UMA, OMAR, BEA)
    await flag(runtime, UMA, "The contract renews in March.")
    await click(runtime, BEA, "escalation.ack", "1")  # the backup steps in, in time
    await flag(runtime, UMA, "Another output.")  # nobody touches this one
    runtime.clock.at = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    compass = checks(runtime)["assistant"]
    assert compass["backups have handled an escalation"][0] is True
    assert compass["no open escalations past SLA"] == (False, "overdue: ESC-1, ESC-2")
    ok, reason = compass["SLA met over the last 30 days"]
    assert not ok and "of 2 escalations" in reason


async def test_readiness_in_chat_for_admins_and_owners_only(runtime: Runtime) -> None:
    shown = words(await say(runtime, ADA, "readiness"))
    # Weighed: Compass passes 8 of 13 checks but misses three of evidence (×3: backups' practice, drift
    # review, drill) and two measured (×2): 14 of 27. Clause Checker's misses are more declarations (×1):
    # it passes 5 of 12 checks, 13 of 28 in weight.
    assert "Compass (assistant): 52/100" in shown and "Clause Checker (contract-review): 46/100" in shown
    assert "drift reviewed in the last 30 days (×3)" in shown and "weighs evidence over declarations" in shown
    assert "no runbook link in systems.yaml" in shown
    refused = await say(runtime, UMA, "readiness")
    assert refused[0].ephemeral and "Only system owners and admins" in words(refused)
    assert words(await say(runtime, OMAR, "readiness"))  # an owner


async def test_weekly_gap_check_goes_to_admins_and_reschedules(runtime: Runtime) -> None:
    sent = install(runtime)
    await meet(runtime, ADA)  # the first admin contact creates the weekly check
    job = runtime.store.run_sync(lambda s: schedule.by_subject(session=s, subject=WEEKLY_SUBJECT))
    assert job is not None and job.due_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    await run_until(runtime, runtime.clock, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))  # type: ignore[arg-type]
    (gaps,) = [g for g in sent.to(ADA.user_id) if "gaps to fill" in g.message.summary]
    assert "no change communicator" in gaps.text and gaps.at.hour >= 9
    # per system, the heaviest failing check's fix (Compass: its backups' practice, ×3)
    assert (
        "The one action that raises it most (×3): Let a backup acknowledge and answer the next flag"
        in gaps.text
    )
    job = runtime.store.run_sync(lambda s: schedule.by_subject(session=s, subject=WEEKLY_SUBJECT))
    assert job is not None and job.due_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


async def test_api_needs_the_token_and_returns_the_shape(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"api_token": _secret("t0ken")})
    runtime.settings = settings
    app = build_app(runtime)
    mount(app, runtime)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/api/v1/readiness")).status == 401
        response = await client.get("/api/v1/readiness", headers={"Authorization": "Bearer t0ken"})
        assert response.status == 200
        body: dict[str, Any] = await response.json()
    keys = [s["key"] for s in body["systems"]]
    assert keys == ["assistant", "contract-review"]
    for system in body["systems"]:
        assert 0 <= system["score"] <= 100
        assert all(set(c) == {"name", "ok", "reason", "weight"} for c in system["checks"])
    assert body["systems"][0]["score"] > body["systems"][1]["score"]


def test_cli_prints_scores_and_json(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    monkeypatch.setenv("COACH_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(runtime.settings.content_dir))
    app = typer.Typer()
    app.command()(readiness_command)
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0, result.output
    assert "assistant (Compass):" in result.output and "✗ runbook present" in result.output
    result = CliRunner().invoke(app, ["--json"])
    assert result.exit_code == 0, result.output
    assert [s["key"] for s in json.loads(result.output)["systems"]] == ["assistant", "contract-review"]


def _secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)
