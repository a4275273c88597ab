from __future__ import annotations

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot.config import SettingsError, load_settings, masked


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
