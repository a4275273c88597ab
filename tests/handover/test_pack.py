"""The handover pack on the shipped example content: Markdown, the printable page, chat and the CLI."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from adapters.cli.handover import handover_command
from adapters.runtime import Runtime
from bot.handover import pack
from bot.handover.document import to_html, to_markdown
from tests.escalations.helpers import ADA, OMAR, UMA, flag, install, meet, words
from tests.programmes.harness import say


def build(runtime: Runtime, key: str = "assistant") -> pack.Document:
    now = runtime.clock.now()
    system = runtime.content.systems[key]
    return runtime.store.run_sync(
        lambda s: pack.build(session=s, content=runtime.content, system=system, now=now)
    )


async def test_the_pack_has_every_part_a_new_team_needs(runtime: Runtime) -> None:
    install(runtime)
    await meet(runtime, UMA, OMAR)
    await flag(runtime, UMA, "The contract renews in March.")
    text = to_markdown(build(runtime))
    for title in (
        "Readiness",
        "Owners and backups",
        "Runbook and service levels",
        "Open escalations",
        "Open friction",
        "SLA history",
        "FAQ",
        "Drift reviews and decisions",
        "Model versions and announcements",
        "Programme and adoption",
        "Last handover drill",
    ):
        assert f"## {title}" in text, title
    assert "# Handover pack: Compass (assistant)" in text
    assert "| escalation owner | omar@example.com | bea@example.com | not confirmed |" in text
    assert "https://wiki.example.com/compass/runbook" in text
    assert "| ESC-1 | " in text  # the open flag, with its state
    # every failing check comes with the action that fixes it
    assert "| drift reviewed in the last 30 days | no drift review recorded yet" in text
    assert "The drift monitor records a review: review drift assistant." in text
    assert "An admin runs a drill: drill assistant 5 days." in text
    assert "Current model version: compass-2026-11." in text


def test_a_system_without_runbook_says_how_to_add_one(runtime: Runtime) -> None:
    text = to_markdown(build(runtime, "contract-review"))
    assert "Write the runbook and put its link in systems.yaml" in text
    assert "Drills are off for this system" in text


def test_the_printable_page_escapes_and_prints(runtime: Runtime) -> None:
    doc = build(runtime)
    doc.sections[0].blocks.append("<script>alert(1)</script>")
    page = to_html(doc)
    assert page.startswith("<!doctype html>") and "@media print" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<th>failing check</th>" in page


async def test_chat_gives_owners_and_admins_a_summary_privately(runtime: Runtime) -> None:
    install(runtime)
    shown = await say(runtime, ADA, "handover assistant")
    text = words(shown)
    assert "Handover pack: Compass" in text and "review drift assistant" in text
    assert "coach handover assistant --html" in text
    assert words(await say(runtime, OMAR, "handover assistant"))
    refused = await say(runtime, UMA, "handover assistant")
    assert "Handover pack" not in words(refused)
    unknown = words(await say(runtime, ADA, "handover nope"))
    assert "I don't know the system 'nope'" in unknown


def test_cli_writes_markdown_and_html(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(runtime.settings.content_dir))
    app = typer.Typer()
    app.command()(handover_command)
    result = CliRunner().invoke(app, ["assistant"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Handover pack: Compass (assistant)")
    result = CliRunner().invoke(app, ["assistant", "--html"])
    assert result.exit_code == 0 and "<h1>Handover pack: Compass (assistant)</h1>" in result.output
    result = CliRunner().invoke(app, ["nope"])
    assert result.exit_code == 2 and "no system 'nope'" in result.output
