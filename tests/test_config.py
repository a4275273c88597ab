from __future__ import annotations

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot.config import SettingsError, load_settings, mask_url, masked


def test_malformed_setting_names_the_key() -> None:
    with pytest.raises(SettingsError, match="COACH_PORT"):
        load_settings(COACH_PORT="not-a-port", _env_file=None)
    with pytest.raises(SettingsError, match="COACH_DATABASE_URL"):
        load_settings(COACH_DATABASE_URL="mysql://x", _env_file=None)


def test_secrets_are_masked() -> None:
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-secret",
        COACH_DATABASE_URL="postgresql+psycopg://coach:hunter2@db/coach",
        _env_file=None,
    )
    shown = masked(settings)
    assert shown["SLACK_BOT_TOKEN"] == "********"
    assert "hunter2" not in shown["COACH_DATABASE_URL"]
    assert shown["COACH_DATABASE_URL"] == "postgresql+psycopg://coach:********@db/coach"


def test_every_url_setting_has_its_secrets_masked() -> None:
    settings = load_settings(
        COACH_DATABASE_URL="postgresql+psycopg://coach:hunter2@db/coach?sslmode=require&password=hunter3",
        SLACK_API_URL="https://proxy:hunter4@slack-proxy.example.com/api/?token=hunter5&team=T1",
        SLACK_AUTHORIZE_URL="https://hunter6@slack-proxy.example.com/oauth/v2/authorize",
        TEAMS_OAUTH_URL="https://login.example.com/token?client_secret=hunter7;sig=hunter8#access_token=hunter9",
        _env_file=None,
    )
    shown = masked(settings)
    assert "hunter" not in "".join(shown.values())
    assert shown["COACH_DATABASE_URL"] == (
        "postgresql+psycopg://coach:********@db/coach?sslmode=require&password=********"
    )
    assert (
        shown["SLACK_API_URL"] == "https://proxy:********@slack-proxy.example.com/api/?token=********&team=T1"
    )
    assert shown["SLACK_AUTHORIZE_URL"] == "https://********@slack-proxy.example.com/oauth/v2/authorize"
    assert shown["TEAMS_OAUTH_URL"] == (
        "https://login.example.com/token?client_secret=********;sig=********#access_token=********"
    )


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///./coach.db",
        "sqlite:////srv/coach@2/coach.db",  # an @ in a path is not userinfo
        "postgresql+psycopg://coach@db/coach?options=-csearch_path%3Dcoach",  # a role name is no secret
        "https://slack.com/api/",
        "content",
        "20:00-08:00",
    ],
)
def test_what_is_not_secret_is_shown_as_it_is(url: str) -> None:
    assert mask_url(url) == url


def test_coach_config_prints_no_secret_of_any_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_DATABASE_URL", "postgresql+psycopg://coach@db/coach?password=hunter2")
    monkeypatch.setenv("SLACK_API_URL", "https://user:hunter3@proxy.example.com/api/")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 0
    assert "COACH_DATABASE_URL=postgresql+psycopg://coach@db/coach?password=********" in result.output
    assert "SLACK_API_URL=https://user:********@proxy.example.com/api/" in result.output
    assert "hunter" not in result.output


def test_local_chat_only_without_platform_credentials() -> None:
    assert load_settings(_env_file=None).local_chat_enabled
    assert not load_settings(SLACK_SIGNING_SECRET="s", _env_file=None).local_chat_enabled
    assert load_settings(SLACK_SIGNING_SECRET="s", COACH_LOCAL_CHAT="true", _env_file=None).local_chat_enabled


def test_coach_config_prints_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "very-secret")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 0
    assert "SLACK_SIGNING_SECRET=********" in result.output
    assert "very-secret" not in result.output


def test_coach_config_fails_naming_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_PORT", "eighty")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 2
    assert "COACH_PORT" in result.output


def test_run_refuses_local_chat_on_a_public_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_HOST", "0.0.0.0")
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert "anyone" in result.output


@pytest.mark.parametrize(
    ("platform", "name"),
    [({"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1"}, "Slack"), ({"TEAMS_APP_ID": "app"}, "Teams")],
)
def test_run_refuses_local_chat_beside_a_platform(
    monkeypatch: pytest.MonkeyPatch, platform: dict[str, str], name: str
) -> None:
    """A local tab typing someone's email would act as their Slack or Teams person (hardening #7)."""
    for key, value in {**platform, "COACH_LOCAL_CHAT": "true"}.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert f"refusing to serve the local chat beside {name}" in result.output
    assert "COACH_LOCAL_CHAT_FORCE_WITH_PLATFORMS=true" in result.output


def test_local_chat_beside_a_platform_when_forced_warns_loudly(caplog: pytest.LogCaptureFixture) -> None:
    from adapters.cli.server import refuse_local_chat_beside_platforms

    forced = load_settings(
        SLACK_SIGNING_SECRET="s",
        TEAMS_APP_ID="app",
        COACH_LOCAL_CHAT="true",
        COACH_LOCAL_CHAT_FORCE_WITH_PLATFORMS="true",
        _env_file=None,
    )
    refuse_local_chat_beside_platforms(forced)
    assert "!!! the local chat is served beside Slack and Teams: ANYONE" in caplog.text
    caplog.clear()
    refuse_local_chat_beside_platforms(load_settings(SLACK_SIGNING_SECRET="s", _env_file=None))  # no chat
    refuse_local_chat_beside_platforms(load_settings(_env_file=None))  # the chat alone
    assert caplog.text == ""
