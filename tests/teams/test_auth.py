"""Inbound JWT validation at the HTTP level: bad credentials get 401 (botbuilder 4.17.1 answers 500),
key-fetch failures 503 so the channel retries, and the start-up check of the endpoint settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.teams.credentials import bot_framework_config
from bot.config import SettingsError, load_settings
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import Teams, endpoint_settings


async def test_valid_token_is_accepted(teams: Teams) -> None:
    response = await teams.post(teams.personal("help"))
    assert response.status == 201


@pytest.mark.parametrize(
    "case",
    [
        "wrong_audience",
        "wrong_issuer",
        "expired",
        "no_endorsement",
        "wrong_key",
        "service_url_mismatch",
        "missing",
    ],
)
async def test_bad_tokens_get_401_and_reach_no_flow(teams: Teams, bf: FakeBotFramework, case: str) -> None:
    activity = teams.personal("help")
    url = activity["serviceUrl"]
    tokens: dict[str, Callable[[], str | None]] = {
        "wrong_audience": lambda: bf.token(service_url=url, audience="someone-else"),
        "wrong_issuer": lambda: bf.token(service_url=url, issuer="https://evil.example"),
        "expired": lambda: bf.token(service_url=url, expires_in=-3600),
        "no_endorsement": lambda: bf.token(service_url=url, kid="plain", sign_with=bf.other_key),
        "wrong_key": lambda: bf.token(service_url=url, sign_with=bf.other_key),
        "service_url_mismatch": lambda: bf.token(service_url="https://other.example/"),
        "missing": lambda: None,
    }
    token = tokens[case]()
    response = await teams.post(activity, token=token)
    assert response.status == 401
    assert bf.calls == []


async def test_key_fetch_failure_is_a_5xx_so_the_channel_retries(teams: Teams, bf: FakeBotFramework) -> None:
    bf.keys_fail = True
    response = await teams.post(teams.personal("help"))
    assert response.status == 503
    assert bf.calls == []


async def test_non_json_is_415(teams: Teams) -> None:
    response = await teams.client.post("/api/messages", data="hello", headers={"Content-Type": "text/plain"})
    assert response.status == 415


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 200_000 + b"]" * 200_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b"{" * 64,
        b'{"x": "\xff"}',
    ],
)
async def test_a_hostile_body_is_a_cheap_400_before_authentication(
    teams: Teams, bf: FakeBotFramework, body: bytes
) -> None:
    response = await teams.client.post(
        "/api/messages",
        data=body,
        headers={"Content-Type": "application/json"},  # and no token at all
    )
    assert response.status == 400
    assert "malformed JSON" in await response.text()
    assert bf.calls == []


async def test_an_activity_nested_past_the_limit_is_refused(teams: Teams, bf: FakeBotFramework) -> None:
    activity = teams.personal("help")
    nested: object = "deep"
    for _ in range(40):
        nested = {"n": nested}
    activity["channelData"]["extra"] = nested
    response = await teams.post(activity)
    assert response.status == 400 and "nested more than 32 levels deep" in await response.text()
    assert bf.calls == []


def test_partial_endpoint_settings_are_refused_naming_the_missing_keys(database_url: str) -> None:
    partial = endpoint_settings("https://login.example")
    del partial["TEAMS_LOGIN_URL"], partial["TEAMS_OAUTH_URL"]
    settings = load_settings(COACH_DATABASE_URL=database_url, TEAMS_APP_ID="app", **partial, _env_file=None)
    with pytest.raises(SettingsError, match="TEAMS_LOGIN_URL, TEAMS_OAUTH_URL"):
        bot_framework_config(settings)


def test_endpoint_settings_map_to_the_sdk_keys(database_url: str) -> None:
    settings = load_settings(
        COACH_DATABASE_URL=database_url,
        TEAMS_APP_ID="app",
        **endpoint_settings("https://login.example"),
        _env_file=None,
    )
    config = bot_framework_config(settings)
    assert config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL == (  # type: ignore[attr-defined]
        "https://login.example/openid/.well-known/openid-configuration"
    )
    assert config.TO_CHANNEL_FROM_BOT_LOGIN_URL == "https://login.example/adfs"  # type: ignore[attr-defined]
    assert config.OAUTH_URL == "https://login.example/oauth"  # type: ignore[attr-defined]
