"""The committed manifest (manifest/slack.json): valid against Slack's official schema, equal to what the
code builds, in step with the Bolt app and the engine; `coach manifest slack` fills in the real host."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from typer.testing import CliRunner

from adapters.cli import app as cli
from adapters.listing import EXAMPLE_URL, listing
from adapters.slack import app as slack_app
from adapters.slack.manifest import SCOPES, build_manifest
from bot.flows import build_router
from tests.conftest import PROJECT, SCHEMAS
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import BOB, SlackClient, fixture

SCHEMA = json.loads((SCHEMAS / "slack" / "manifest.schema.1.0.0.json").read_text())
COMMITTED = PROJECT / "manifest" / "slack.json"
REAL = "https://coach.acme-corp.test"


def committed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(COMMITTED.read_text())
    return data


def with_host(manifest: dict[str, Any], url: str) -> dict[str, Any]:
    replaced: dict[str, Any] = json.loads(json.dumps(manifest).replace(EXAMPLE_URL, url))
    return replaced


def without_urls(node: Any) -> Any:
    """The manifest less every request and redirect URL (what Socket Mode leaves out)."""
    if isinstance(node, dict):
        return {
            k: without_urls(v) for k, v in node.items() if k not in ("url", "request_url", "redirect_urls")
        }
    if isinstance(node, list):
        return [without_urls(v) for v in node]
    return node


def test_the_committed_manifest_is_valid_and_is_what_the_code_builds() -> None:
    manifest = committed()
    Draft7Validator(SCHEMA).validate(manifest)
    assert manifest == build_manifest(listing=listing(url=EXAMPLE_URL)), (
        "manifest/slack.json differs from adapters/slack/manifest.py: run `coach manifest examples`"
    )
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == f"{EXAMPLE_URL}/slack/events"
    assert settings["interactivity"]["request_url"] == f"{EXAMPLE_URL}/slack/events"
    assert manifest["oauth_config"]["redirect_urls"] == [f"{EXAMPLE_URL}/slack/oauth_redirect"]
    assert settings["socket_mode_enabled"] is False and settings["token_rotation_enabled"] is False


def test_coach_manifest_slack_is_the_committed_one_on_the_real_host(tmp_path: Path) -> None:
    out = tmp_path / "build" / "slack.json"
    result = CliRunner().invoke(cli, ["manifest", "slack", "--url", REAL + "/", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    Draft7Validator(SCHEMA).validate(written)
    assert written == with_host(committed(), REAL)
    long = written["display_information"]["long_description"]
    assert f"Privacy: {REAL}/privacy" in long and f"Terms: {REAL}/terms" in long


def test_the_public_url_setting_is_the_default_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("COACH_PUBLIC_URL", REAL)
    result = CliRunner().invoke(cli, ["manifest", "slack"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "manifest" / "build" / "slack.json").read_text()) == with_host(
        committed(), REAL
    )


def test_without_any_address_it_says_what_to_give(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COACH_PUBLIC_URL", raising=False)
    result = CliRunner().invoke(cli, ["manifest", "slack"])
    assert result.exit_code == 2 and "COACH_PUBLIC_URL" in result.output


def test_it_never_writes_over_the_committed_manifest() -> None:
    before = COMMITTED.read_bytes()
    result = CliRunner().invoke(cli, ["manifest", "slack", "--url", REAL, "--out", str(COMMITTED)])
    assert result.exit_code == 2 and "committed" in result.output
    assert COMMITTED.read_bytes() == before


@pytest.mark.parametrize("url", [None, REAL])
def test_socket_mode_has_no_request_urls(
    tmp_path: Path, url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COACH_PUBLIC_URL", raising=False)
    out = tmp_path / "socket.json"
    args = ["manifest", "slack", "--socket-mode", "--out", str(out)] + (["--url", url] if url else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    Draft7Validator(SCHEMA).validate(written)
    assert written["settings"]["socket_mode_enabled"] is True
    assert "https://" not in json.dumps(written["settings"]) + json.dumps(written["features"])
    assert "redirect_urls" not in written["oauth_config"]
    expected = without_urls(with_host(committed(), url or EXAMPLE_URL))
    expected["settings"]["socket_mode_enabled"] = True
    if url is None:  # no public address: no privacy and terms links either
        expected["display_information"]["long_description"] = written["display_information"][
            "long_description"
        ]
        assert "Privacy:" not in written["display_information"]["long_description"]
    assert written == expected


def test_token_rotation_is_on_only_when_asked_for(tmp_path: Path) -> None:
    out = tmp_path / "rotating.json"
    result = CliRunner().invoke(
        cli, ["manifest", "slack", "--url", REAL, "--token-rotation", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["settings"]["token_rotation_enabled"] is True


def test_privacy_terms_and_publisher_can_point_elsewhere(tmp_path: Path) -> None:
    out = tmp_path / "slack.json"
    result = CliRunner().invoke(
        cli,
        ["manifest", "slack", "--url", REAL, "--out", str(out), "--developer-name", "Acme IT",
         "--website", "https://it.acme.test", "--privacy-url", "https://acme.test/privacy",
         "--terms-url", "https://acme.test/terms"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    long = json.loads(out.read_text())["display_information"]["long_description"]
    assert "Published by Acme IT (https://it.acme.test)" in long
    assert "Privacy: https://acme.test/privacy Terms: https://acme.test/terms" in long
    refused = CliRunner().invoke(
        cli, ["manifest", "slack", "--url", REAL, "--privacy-url", "http://acme.test/p"]
    )
    assert refused.exit_code == 2 and "--privacy-url" in refused.output


def test_schema_rejects_a_broken_manifest() -> None:
    manifest = committed()
    manifest["features"]["shortcuts"][0]["name"] = "x" * 25
    assert list(Draft7Validator(SCHEMA).iter_errors(manifest))


def test_scopes_events_command_and_shortcuts_agree_with_the_code() -> None:
    manifest = committed()
    assert manifest["oauth_config"]["scopes"]["bot"] == sorted(SCOPES)  # what /slack/install asks for
    subscribed = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {name.split(".")[0] for name in subscribed} == {*slack_app.EVENTS, *slack_app.REMOVALS, *slack_app.PEOPLE}
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == slack_app.COMMAND
    shortcuts = {s["callback_id"] for s in manifest["features"]["shortcuts"]}
    assert shortcuts == set(build_router().shortcuts)  # each one has a flow, and each flow a shortcut


def subscribed_event(name: str) -> dict[str, Any]:
    """A minimal event of each subscribed kind, as Slack would deliver it."""
    body = fixture("event_message_im_top_level.json")
    event: dict[str, Any] = {"user": BOB, "ts": "1.000001", "event_ts": "1.000001"}
    if name == "message.im":
        event |= {"type": "message", "channel": "DUBOB", "channel_type": "im", "text": "hi"}
    elif name in ("message.channels", "message.groups"):
        event |= {
            "type": "message",
            "channel": "C1",
            "channel_type": "channel" if name == "message.channels" else "group",
            "text": "x",
            "thread_ts": "0.1",
        }
    elif name == "app_mention":
        event |= {"type": "app_mention", "channel": "C1", "text": "<@UBOT> hi"}
    elif name == "app_home_opened":
        event |= {"type": "app_home_opened", "channel": "DUBOB", "tab": "home"}
    elif name == "app_uninstalled":
        event = {"type": "app_uninstalled", "event_ts": "1.000001"}
    elif name == "tokens_revoked":
        event = {"type": "tokens_revoked", "tokens": {"oauth": ["UADA"]}, "event_ts": "1.000001"}
    elif name == "user_change":
        event = fixture("event_user_change.json")["event"]
    body.update(event=event, event_id=f"Ev-{name}")
    return body


@pytest.mark.parametrize("name", committed()["settings"]["event_subscriptions"]["bot_events"])
async def test_every_subscribed_event_is_handled(name: str, slack: SlackClient, fake: FakeSlackApi) -> None:
    response = await slack.event(subscribed_event(name))
    assert response.status == 200  # Bolt answers 404 to an event no listener takes
    if name == "user_change":  # fires on every profile edit: answered without a Web API call
        assert fake.to("users.info") == []
    elif name not in ("app_uninstalled", "tokens_revoked"):  # about the install, not a person
        await fake.wait_for("users.info")  # the listener ran: it looked the person up


async def test_an_unsubscribed_event_has_no_listener(slack: SlackClient) -> None:
    response = await slack.event(fixture("event_reaction_added.json"))
    assert response.status == 404
