"""`coach people forget EMAIL`: the person's data is gone from every table, figures others rely on stay,
and one audit entry without personal data says it happened. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Text, cast, func, select
from sqlmodel import SQLModel
from typer.testing import CliRunner

import bot.migrations.tables  # noqa: F401  (every table on the metadata)
from adapters.cli import app
from adapters.runtime import Runtime
from bot.privacy.forget import FORGOTTEN, RULES
from tests.escalations.helpers import flag, meet
from tests.friction.helpers import ADA, OMAR, UMA, file_report

KEPT = ("escalation", "friction_report", "enrolment", "announcement_recipient", "pulse_answer", "usage_event")


def test_every_table_has_a_forget_rule() -> None:
    tables = set(SQLModel.metadata.tables)
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


def _forget(runtime: Runtime, email: str) -> None:
    from bot.privacy.forget import forget

    now = runtime.clock.now()
    done = runtime.store.run_sync(lambda s: forget(session=s, email=email, now=now, actor_person_id=None))
    assert done is not None


async def test_a_published_answer_keeps_the_owners_words_and_loses_the_flaggers(runtime: Runtime) -> None:
    from bot.escalations.models import FaqEntry
    from tests.escalations.helpers import BEA, click, install, submit
    from tests.programmes.harness import say

    install(runtime)
    await meet(runtime, UMA, OMAR, BEA)
    output = "Your contract with Acme renews on 1 March 2027; Uma asked uma@example.com to check."
    await flag(runtime, UMA, output)
    await submit(runtime, OMAR, "escalation.answer", {"answer": "Clause 4.2 moved the renewal to April."}, "1")
    await click(runtime, OMAR, "escalation.publish", "1")

    _forget(runtime, "uma@example.com")

    entry = runtime.store.run_sync(lambda s: s.execute(select(FaqEntry)).scalar_one())
    assert (entry.output_text, entry.question) == ("", "")  # as the flag itself: output and expectation go
    assert entry.answer == "Clause 4.2 moved the renewal to April."
    assert "Uma" not in _everything(runtime)
    form = (await say(runtime, BEA, f"flag {output}"))[0].form
    assert form is not None and "already answered" not in (form.intro or "")  # nothing left to match


ZOE_NAME = "Zoë Ångström"


async def test_a_name_with_accents_is_erased_however_json_stored_it(runtime: Runtime) -> None:
    from bot.audit import service as audit
    from bot.events import Actor
    from bot.privacy.forget import _replaced

    zoe = Actor("local", "local", "zoe@example.com", display_name=ZOE_NAME, email="zoe@example.com",
                timezone="Europe/Oslo", address={"user": "zoe@example.com"})  # fmt: skip
    await meet(runtime, zoe, OMAR)
    now = runtime.clock.now()
    runtime.store.run_sync(lambda s: audit.record(
        session=s, at=now, actor_person_id=None, action="test.note", subject="x",
        detail={"note": f"{ZOE_NAME}’s request; {ZOE_NAME}s is someone else", "by": ZOE_NAME},
    ))  # fmt: skip
    entries = SQLModel.metadata.tables["auditentry"]
    stored = runtime.store.run_sync(
        lambda s: s.execute(select(cast(entries.c.detail, Text)).where(entries.c.action == "test.note")).scalar_one()
    )
    assert "Zo\\u00eb" in stored  # JSON columns escape non-ASCII: what forget must match

    _forget(runtime, "zoe@example.com")

    stored = runtime.store.run_sync(
        lambda s: s.execute(select(entries.c.detail).where(entries.c.action == "test.note")).scalar_one()
    )
    assert stored == {"note": f"{FORGOTTEN}’s request; {ZOE_NAME}s is someone else", "by": FORGOTTEN}
    assert "Zoë" not in _everything(runtime).replace(f"{ZOE_NAME}s", "")
    # JSON kept in a text column: the escaped name goes, an escaped letter next to it is part of the word.
    terms = {ZOE_NAME}
    assert _replaced('{"n": "Zo\\u00eb \\u00c5ngstr\\u00f6m\\u2019s"}', terms) == f'{{"n": "{FORGOTTEN}\\u2019s"}}'
    assert _replaced('"Zo\\u00eb \\u00c5ngstr\\u00f6m\\u00e9"', terms) == '"Zo\\u00eb \\u00c5ngstr\\u00f6m\\u00e9"'


async def test_the_installers_slack_id_goes_and_the_bot_token_keeps_working(runtime: Runtime) -> None:
    from datetime import UTC, datetime

    from slack_sdk.oauth.installation_store.models.installation import Installation

    from adapters.slack.oauth import InstallationStore
    from bot.events import Actor

    uma = Actor("slack", "T1", "U0UMA", display_name="Uma", email="uma@example.com", timezone="Europe/London",
                address={"user": "U0UMA"})  # fmt: skip
    omar = Actor("slack", "T2", "U0OMAR", display_name="Omar", email="omar@example.com",
                 timezone="Europe/London", address={"user": "U0OMAR"})  # fmt: skip
    await meet(runtime, uma, omar)
    store = InstallationStore(store=runtime.store, client_id="C1")
    for team, user in (("T1", "U0UMA"), ("T2", "U0OMAR")):
        await store.async_save(Installation(app_id="A1", team_id=team, user_id=user, bot_token=f"xoxb-{team}", bot_id="B1",
                                bot_user_id="UBOT", bot_scopes="chat:write", user_token=f"xoxp-{user}",
                                user_scopes="search:read", installed_at=datetime(2026, 1, 1, tzinfo=UTC)))  # fmt: skip

    from bot.privacy.forget import forget

    now = runtime.clock.now()
    done = runtime.store.run_sync(lambda s: forget(session=s, email="uma@example.com", now=now, actor_person_id=None))
    assert done is not None and done.anonymised["workspace_installation"] == 1
    assert "workspace_installation 1" in done.summary()

    kept = await store.async_find_installation(enterprise_id=None, team_id="T1")
    assert kept is not None and kept.bot_token == "xoxb-T1"  # the coach still talks to Uma's workspace
    assert kept.user_id == FORGOTTEN and kept.user_token is None and kept.user_scopes is None
    other = await store.async_find_installation(enterprise_id=None, team_id="T2")
    assert other is not None and (other.user_id, other.user_token) == ("U0OMAR", "xoxp-U0OMAR")
