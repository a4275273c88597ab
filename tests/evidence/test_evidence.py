"""The evidence report on the shipped example content (Compass: limited risk; Clause Checker: marked high
to show Article 26), its hash-chained export, and `coach evidence verify` catching an edited export."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from adapters.cli.evidence import evidence_command
from adapters.runtime import Runtime
from bot.content import check_content
from bot.events import Submitted
from bot.evidence import chain, records, report
from bot.handover.document import to_markdown
from tests.conftest import PROJECT
from tests.escalations.helpers import OMAR, UMA, dm, install, meet


def gather(runtime: Runtime, key: str, start: str | None = None, end: str | None = None) -> records.Evidence:
    now = runtime.clock.now()
    system = runtime.content.systems[key]
    period = records.Period.of(start, end, now)
    return runtime.store.run_sync(
        lambda s: records.gather(session=s, content=runtime.content, system=system, period=period, now=now)
    )


async def harmful_flag(runtime: Runtime) -> None:
    values = {
        "output": "Delete the audit trail.",
        "reason": "harmful",
        "expected": "",
        "system": "assistant",
        "trace_id": "",
        "anonymous": "no",
    }
    await runtime.engine.handle(Submitted(UMA, dm(UMA), "escalation.flag", values, context=""))


async def test_a_limited_system_lists_article_4_and_the_framework_not_article_26(runtime: Runtime) -> None:
    install(runtime)
    await meet(runtime, UMA, OMAR)
    await harmful_flag(runtime)
    found = gather(runtime, "assistant")
    assert [d.key for d in found.duties] == ["ai-literacy", "nist-govern", "nist-manage"]
    text = to_markdown(report.build(found))
    assert "Evidence to support an assessment, not legal advice." in text
    assert "Applies from 2025-02-02." in text
    assert "uma@example.com" in text  # enrolled in the programme, per person
    assert "have not completed the programme" in text
    assert "Harmful flag ESC-1 has no decision that cites it." in text
    assert "No announcement went out before the go-live date (2026-09-01)." in text
    kinds = {r["kind"] for r in found.records["monitoring"]}
    assert {"flags", "harmful_flag", "status"} <= kinds


def test_a_high_risk_system_gets_article_26_with_no_invented_date(runtime: Runtime) -> None:
    found = gather(runtime, "contract-review")
    keys = [d.key for d in found.duties]
    assert {"human-oversight", "monitoring", "logs", "workers-informed"} <= set(keys)
    assert all(d.applies_from is None for d in found.duties if d.source.startswith("EU AI Act, Article 26"))
    text = to_markdown(report.build(found))
    assert "Date of application: see content/duties.yaml." in text
    assert "Logs are kept 90 days: less than six months" in text
    assert "The drift monitor has no backup." in text


def test_the_period_filters_and_bad_dates_are_named(runtime: Runtime) -> None:
    found = gather(runtime, "assistant", "2020-01-01", "2020-01-31")
    assert not found.records["literacy"]
    with pytest.raises(ValueError, match="--from '2020-13-01' is not a date"):
        records.Period.of("2020-13-01", None, datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="--from is after --to"):
        records.Period.of("2020-02-01", "2020-01-01", datetime(2026, 1, 1, tzinfo=UTC))


async def test_an_edited_export_is_detected(runtime: Runtime) -> None:
    install(runtime)
    await meet(runtime, UMA, OMAR)
    text, head = chain.export(gather(runtime, "assistant").export_records())
    verdict = chain.verify(text)
    assert verdict.ok and verdict.head == head and verdict.records == len(text.splitlines()) - 1

    lines = text.splitlines()
    entry = json.loads(lines[2])
    entry["record"]["person"] = "someone-else@example.com"
    edited = "\n".join([*lines[:2], json.dumps(entry), *lines[3:]])
    assert chain.verify(edited).message == "line 3: its record was changed after export"
    assert "removed" in chain.verify("\n".join(lines[:2] + lines[3:])).message
    assert "ends before its end record" in chain.verify("\n".join(lines[:-1])).message
    assert "not a record" in chain.verify("hello\n").message


def test_cli_report_export_and_verify(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COACH_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(runtime.settings.content_dir))
    app = typer.Typer()
    app.command()(evidence_command)
    out = tmp_path / "evidence.jsonl"
    result = CliRunner().invoke(app, ["assistant", "--export", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Governance evidence: Compass (assistant)")
    assert CliRunner().invoke(app, ["verify", str(out)]).exit_code == 0
    out.write_text(out.read_text(encoding="utf-8").replace("limited", "minimal", 1), encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", str(out)])
    assert result.exit_code == 1 and "line 1: its record was changed after export" in result.output
    result = CliRunner().invoke(app, ["assistant", "--from", "yesterday"])
    assert result.exit_code == 2 and "is not a date" in result.output


def test_systems_yaml_governance_fields_fail_with_clear_errors(tmp_path: Path) -> None:
    copy = tmp_path / "content"
    shutil.copytree(PROJECT / "content", copy)
    path = copy / "systems.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("risk_class: limited", "risk_class: severe", 1)
        .replace("go_live: 2026-09-01", "go_live: soon", 1),
        encoding="utf-8",
    )
    shown = "\n".join(str(p) for p in check_content(copy))
    assert "systems.yaml" in shown and "risk_class" in shown and "'minimal', 'limited' or 'high'" in shown
    assert "go_live" in shown


async def test_evidence_in_chat_is_for_admins_and_points_to_the_full_report(runtime: Runtime) -> None:
    from tests.escalations.helpers import ADA, OMAR, UMA, words
    from tests.programmes.harness import say

    text = words(await say(runtime, ADA, "evidence assistant"))
    assert "Governance evidence: Compass (assistant)" in text
    assert "record" in text and "coach evidence assistant --html" in text and "dashboard" in text
    assert "Governance evidence" not in words(await say(runtime, OMAR, "evidence assistant"))
    assert "Governance evidence" not in words(await say(runtime, UMA, "evidence assistant"))
    assert "I don't know the system 'nope'" in words(await say(runtime, ADA, "evidence nope"))
    assert "Usage: evidence SYSTEM" in words(await say(runtime, ADA, "evidence"))
