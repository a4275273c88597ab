from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from adapters.cli import app
from bot.content import Content
from bot.messages import text_message
from bot.outbox import service
from bot.outbox.models import OutboxState
from bot.people import service as people
from bot.ports import FixedClock
from bot.programmes.models import Enrolment
from bot.store.db import Store


@pytest.fixture
def env(database_url: str, store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("COACH_DATABASE_URL", database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(Path(__file__).resolve().parents[1] / "content"))
    return store


def test_outbox_lists_dead_rows_and_retries_them(env: Store, clock: FixedClock) -> None:
    def dead(session):  # type: ignore[no-untyped-def]
        uma = people.ensure_by_email(session=session, email="uma@example.com", now=clock.now())
        row = service.enqueue(
            session=session, key="k", platform="slack", address={}, message=text_message("x"), now=clock.now()
        )
        service.enqueue(session=session, key="u", platform="none", address={}, message=text_message("x"),
                        now=clock.now(), person_id=uma.id).state = OutboxState.unreachable  # fmt: skip
        row.state = OutboxState.dead
        row.last_error = "channel_not_found"
        session.flush()
        return row.id

    row_id = env.run_sync(dead)
    shown = CliRunner().invoke(app, ["outbox"])
    assert shown.exit_code == 0, shown.output
    assert "dead=1" in shown.output and "channel_not_found" in shown.output
    assert "\tnobody named on slack\t" in shown.output  # a row for no person names where it went
    assert "\tunreachable\treply\tuma@example.com\t" in shown.output
    assert CliRunner().invoke(app, ["outbox", "retry", str(row_id)]).exit_code == 0
    assert CliRunner().invoke(app, ["outbox", "retry", str(row_id)]).exit_code == 1


def test_enrol_import_and_preview(env: Store, tmp_path: Path, content: Content) -> None:
    people = tmp_path / "people.csv"
    people.write_text("email,team\numa@example.com,ops\nkenji@example.com,ops\n")
    result = CliRunner().invoke(app, ["programme", "enrol", "--file", str(people)])
    assert result.exit_code == 0, result.output
    assert "enrolled 2 of 2" in result.output
    again = CliRunner().invoke(app, ["programme", "enrol", "uma@example.com"])
    assert "enrolled 0 of 1" in again.output
    assert len(env.run_sync(lambda s: s.exec(select(Enrolment)).all())) == 2
    preview = CliRunner().invoke(app, ["programme", "preview", "assistant", "--to", "ada@example.com"])
    assert preview.exit_code == 0, preview.output
    rows = env.run_sync(lambda s: service.listing(session=s, states=list(OutboxState)))
    keys = sorted(r.idempotency_key for r in rows if r.idempotency_key.startswith("preview:"))
    steps = [s.key for s in content.programmes["assistant"].steps]
    preview = keys[0].split(":")[1]  # one preview: a header, then every step under its own key
    assert keys == sorted([f"preview:{preview}:header", *(f"preview:{preview}:{step}" for step in steps)])
