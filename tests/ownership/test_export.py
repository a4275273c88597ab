"""`coach ownership export`: a role changed in chat is written back into systems.yaml, which still loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from adapters.cli import app
from bot.content import load_content
from bot.store.db import Store
from tests.conftest import PROJECT


def test_export_writes_the_registry_back(
    tmp_path: Path, database_url: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(PROJECT / "content", content_dir)
    monkeypatch.setenv("COACH_DATABASE_URL", database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(content_dir))

    from adapters.runtime import seed_ownership
    from bot.config import load_settings
    from bot.ownership import service
    from bot.people import service as people
    from bot.ports import SystemClock

    assert load_settings(_env_file=None).database_url == database_url
    clock = SystemClock()
    seed_ownership(store=store, content=load_content(content_dir), clock=clock)

    def change(session) -> None:  # type: ignore[no-untyped-def]
        sam = people.ensure_by_email(session=session, email="sam@example.com", now=clock.now())
        service.set_role(
            session=session, system="contract-review", role="change_communicator", person=sam,
            backup="lena@example.com", actor_id=sam.id or 0, now=clock.now(),
        )  # fmt: skip

    store.run_sync(change)

    result = CliRunner().invoke(app, ["ownership", "export"])
    assert result.exit_code == 0, result.output
    text = (content_dir / "systems.yaml").read_text()
    assert text.startswith("# AI systems being adopted")  # the file's own comments stay at the top
    data = yaml.safe_load(text)
    review = next(s for s in data["systems"] if s["key"] == "contract-review")
    assert review["roles"]["change_communicator"] == {
        "person": "sam@example.com",
        "backup": "lena@example.com",
    }
    assert review["roles"]["drift_monitor"] == {"person": "lena@example.com"}
    assert (
        load_content(content_dir).systems["contract-review"].role("change_communicator").person
        == "sam@example.com"
    )
