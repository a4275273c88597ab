"""`coach announcements export ID` prints the per-recipient CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
import typer
from typer.testing import CliRunner

from adapters.cli import announcements
from adapters.runtime import Runtime
from bot.ports import FixedClock
from tests.announcements.helpers import ADA, KENJI, button, click, compose, say
from tests.programmes.harness import RecordingSender, run_until


async def test_export_prints_the_csv(
    runtime: Runtime, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime.dispatcher.senders["local"] = RecordingSender(clock)
    await say(runtime, ADA, "hi")
    await say(runtime, KENJI, "hi")
    preview = await compose(runtime, ADA, audience_param="kenji@example.com", critical="yes")
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(minutes=5))
    monkeypatch.setenv("COACH_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(runtime.settings.content_dir))
    app = typer.Typer()
    app.add_typer(announcements.app, name="announcements")
    result = CliRunner().invoke(app, ["announcements", "export", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "email,name,delivery,sent_at,acknowledged_at,questions"
    assert lines[1].startswith("kenji@example.com,Kenji,sent,")
    missing = CliRunner().invoke(app, ["announcements", "export", "99"])
    assert missing.exit_code == 1
