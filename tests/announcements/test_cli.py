"""`coach announcements export ID` prints the per-recipient CSV, its times ISO 8601 to the second with zone."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import typer
from typer.testing import CliRunner

from adapters.cli import announcements
from adapters.runtime import Runtime
from bot.events import Clicked
from bot.ports import FixedClock
from tests.announcements.helpers import ADA, KENJI, button, click, compose, say
from tests.programmes.harness import RecordingSender, dm, run_until

MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")  # no microseconds, always the zone


async def test_export_prints_the_csv(
    runtime: Runtime, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = RecordingSender(clock)
    runtime.dispatcher.senders["local"] = sender
    clock.advance(microseconds=123456)  # a real clock's times carry microseconds
    await say(runtime, ADA, "hi")
    await say(runtime, KENJI, "hi")
    preview = await compose(runtime, ADA, audience_param="kenji@example.com", critical="yes")
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(minutes=5))
    (got,) = [r for r in sender.to(KENJI.user_id) if r.key.startswith("announcement:1:person:")]
    got_it = button(got.message, "Got it")
    clock.advance(seconds=61.5)
    await runtime.engine.handle(Clicked(KENJI, dm(KENJI), got_it.action_id, got_it.value))
    monkeypatch.setenv("COACH_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(runtime.settings.content_dir))
    app = typer.Typer()
    app.add_typer(announcements.app, name="announcements")
    result = CliRunner().invoke(app, ["announcements", "export", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "email,name,delivery,sent_at,acknowledged_at,questions"
    assert lines[1].startswith("kenji@example.com,Kenji,sent,")
    (row,) = [r for r in csv.DictReader(io.StringIO(result.output)) if r["email"] == "kenji@example.com"]
    assert MOMENT.fullmatch(row["sent_at"]) and MOMENT.fullmatch(row["acknowledged_at"]), row
    missing = CliRunner().invoke(app, ["announcements", "export", "99"])
    assert missing.exit_code == 1
