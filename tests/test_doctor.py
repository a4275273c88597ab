"""`coach doctor` against the fake Slack and the fake Bot Framework: a sound configuration passes, and one
deliberate fault of each kind is found and comes with its fix."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.cli import app as cli
from adapters.doctor.report import Finding, next_step
from adapters.doctor.run import examine
from bot.channels import service as channels
from bot.config import Settings, load_settings
from bot.events import Actor, Place
from bot.migrations.migrate import upgrade
from bot.people import service as people
from bot.store.db import Store
from tests.conftest import PROJECT
from tests.fakes.slack_api import BOT_USER, FakeSlackApi
from tests.fakes.teams_connector import APP_ID, FakeBotFramework, local_tls
from tests.teams.conftest import endpoint_settings, serve

SLACK_CHANNEL = "C07COMPASS1"  # content/systems.yaml: Compass's escalation channel on Slack
TEAMS_CHANNEL = "19:compass-escalations@thread.tacv2"
TOKEN = "xoxb-test-token"


@pytest.fixture
def migrated(database_url: str) -> Store:
    upgrade(database_url)
    store = Store(database_url)
    yield store  # type: ignore[misc]
    store.close()


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi(token=TOKEN)
    await api.start()
    api.add_channel(SLACK_CHANNEL, ["UADA", BOT_USER])
    api.add_channel("C07CLAUSES2", [BOT_USER])  # Clause Checker's
    yield api
    await api.close()


@pytest.fixture
async def teams_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotFramework]:
    context, ca_path = local_tls(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_path))  # MSAL and the probe trust the fake's TLS
    async with serve(FakeBotFramework(password="s3cret"), tls=context) as fake:
        yield fake


def slack_settings(database_url: str, api: FakeSlackApi, **extra: Any) -> Settings:
    values = {
        "COACH_DATABASE_URL": database_url,
        "COACH_CONTENT_DIR": str(PROJECT / "content"),
        "COACH_PUBLIC_URL": "https://coach.example.com",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": api.base_url,
        **extra,
    }
    return load_settings(**values, _env_file=None)


def teams_settings(database_url: str, api: FakeBotFramework, **extra: Any) -> Settings:
    values = {
        "COACH_DATABASE_URL": database_url,
        "COACH_CONTENT_DIR": str(PROJECT / "content"),
        "COACH_PUBLIC_URL": "https://coach.example.com",
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": "s3cret",
        **endpoint_settings(api.base_url),
        **extra,
    }
    return load_settings(**values, _env_file=None)


def teams_seen(store: Store, service_url: str) -> None:
    """Someone wrote to the bot in a personal chat, and the bot was @mentioned in the escalation channel."""
    reference = {"serviceUrl": service_url, "conversation": {"id": "a:personal-ada"}, "channelId": "msteams"}
    actor = Actor(platform="teams", workspace="tenant-1", user_id="aad-ada", address=reference)
    channel = Place(
        "teams", "tenant-1", TEAMS_CHANNEL, False, None, {**reference, "conversation": {"id": TEAMS_CHANNEL}}
    )
    from datetime import UTC, datetime

    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    store.run_sync(
        lambda s: (
            people.resolve(session=s, actor=actor, now=now),
            channels.remember(session=s, place=channel, now=now),
        )
    )


def failures(findings: list[Finding]) -> dict[str, Finding]:
    return {f"{f.area}: {f.check}": f for f in findings if f.failed}


async def test_a_sound_slack_install_passes(
    database_url: str, migrated: Store, slack_api: FakeSlackApi
) -> None:
    findings = await examine(slack_settings(database_url, slack_api), store=migrated)
    assert failures(findings) == {}
    checks = {f"{f.area}: {f.check}" for f in findings if f.status == "ok"}
    assert {"Slack: bot token", "Slack: scopes", "Database: migrated", "Content: valid"} <= checks
    assert "Slack: in Compass's escalation channel C07COMPASS1" in checks
    assert next_step(findings).startswith("Nothing")


async def test_a_wrong_slack_token(database_url: str, migrated: Store, slack_api: FakeSlackApi) -> None:
    found = failures(
        await examine(slack_settings(database_url, slack_api, SLACK_BOT_TOKEN="xoxb-wrong"), store=migrated)
    )
    assert list(found) == ["Slack: bot token"]
    assert "invalid_auth" in found["Slack: bot token"].detail and "reinstall" in found["Slack: bot token"].fix


async def test_a_missing_scope(database_url: str, migrated: Store, slack_api: FakeSlackApi) -> None:
    grant = slack_api.grants[TOKEN]
    grant.scopes = tuple(s for s in grant.scopes if s != "users:read.email")
    found = failures(await examine(slack_settings(database_url, slack_api), store=migrated))
    assert list(found) == ["Slack: scopes"]
    assert (
        found["Slack: scopes"].detail == "missing users:read.email"
        and "reinstall" in found["Slack: scopes"].fix
    )


@pytest.mark.parametrize(
    ("members", "detail"), [(["UADA"], "the bot is not a member"), (None, "channel not found")]
)
async def test_the_bot_outside_an_escalation_channel(
    database_url: str, migrated: Store, slack_api: FakeSlackApi, members: list[str] | None, detail: str
) -> None:
    if members is None:
        del slack_api.channels[SLACK_CHANNEL]
    else:
        slack_api.add_channel(SLACK_CHANNEL, members)
    found = failures(await examine(slack_settings(database_url, slack_api), store=migrated))
    (only,) = found.values()
    assert only.check == "in Compass's escalation channel C07COMPASS1" and only.detail == detail
    assert "/invite" in only.fix or "systems.yaml" in only.fix


async def test_a_database_not_migrated(database_url: str, slack_api: FakeSlackApi) -> None:
    store = Store(database_url)
    try:
        found = failures(await examine(slack_settings(database_url, slack_api), store=store))
    finally:
        store.close()
    assert list(found) == ["Database: migrated"] and "coach db upgrade" in found["Database: migrated"].fix


async def test_broken_content(
    database_url: str, migrated: Store, slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT / "content", content)
    (content / "systems.yaml").write_text("systems: [this is not a system]\n")
    settings = slack_settings(database_url, slack_api, COACH_CONTENT_DIR=str(content))
    found = failures(await examine(settings, store=migrated))
    assert list(found) == ["Content: valid"] and "coach content check" in found["Content: valid"].fix


async def test_no_public_url_for_an_http_app(
    database_url: str, migrated: Store, slack_api: FakeSlackApi
) -> None:
    found = failures(
        await examine(slack_settings(database_url, slack_api, COACH_PUBLIC_URL=""), store=migrated)
    )
    assert list(found) == ["Settings: COACH_PUBLIC_URL"]


async def test_a_sound_teams_install_passes(
    database_url: str, migrated: Store, teams_api: FakeBotFramework
) -> None:
    teams_seen(migrated, teams_api.base_url + "/")
    findings = await examine(teams_settings(database_url, teams_api), store=migrated)
    assert failures(findings) == {}
    checks = {f"{f.area}: {f.check}" for f in findings if f.status == "ok"}
    assert {
        "Teams: app token",
        f"Teams: service URL {teams_api.base_url}/",
        "Teams: in Compass's escalation channel",
    } <= checks
    assert teams_api.token_requests == 1


async def test_a_wrong_teams_password(
    database_url: str, migrated: Store, teams_api: FakeBotFramework
) -> None:
    teams_seen(migrated, teams_api.base_url + "/")
    settings = teams_settings(database_url, teams_api, TEAMS_APP_PASSWORD="expired")
    found = failures(await examine(settings, store=migrated))
    assert list(found) == ["Teams: app token"]
    assert (
        "AADSTS7000215" in found["Teams: app token"].detail
        and "TEAMS_APP_PASSWORD" in found["Teams: app token"].fix
    )


async def test_an_unreachable_service_url_and_a_team_without_the_app(
    database_url: str, migrated: Store, teams_api: FakeBotFramework
) -> None:
    from aiohttp.test_utils import unused_port

    dead = f"https://127.0.0.1:{unused_port()}/"
    actor = Actor(platform="teams", workspace="tenant-1", user_id="aad-ada", address={"serviceUrl": dead})
    from datetime import UTC, datetime

    migrated.run_sync(
        lambda s: people.resolve(session=s, actor=actor, now=datetime(2026, 11, 23, tzinfo=UTC))
    )
    found = failures(await examine(teams_settings(database_url, teams_api), store=migrated))
    assert set(found) == {f"Teams: service URL {dead}", "Teams: in Compass's escalation channel"}
    assert "outbound https" in found[f"Teams: service URL {dead}"].fix
    assert "@mention" in found["Teams: in Compass's escalation channel"].fix


def test_the_command_prints_each_failure_with_its_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACH_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setenv("COACH_CONTENT_DIR", str(PROJECT / "content"))
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1
    assert (
        "FAIL Database: migrated: database not migrated (it has no schema yet)\n       fix: run `coach db upgrade`"
        in result.output
    )
    assert "Next step: Database: run `coach db upgrade`" in result.output
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    assert CliRunner().invoke(cli, ["doctor"]).exit_code == 0
