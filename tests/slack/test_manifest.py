"""The generated manifest: valid against Slack's official schema, and in step with the Bolt app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from adapters.slack import app as slack_app
from adapters.slack.manifest import SHORTCUTS, build_manifest, write_manifest
from tests.conftest import SCHEMAS
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import BOB, SlackClient, fixture

SCHEMA = SCHEMAS / "slack" / "manifest.schema.1.0.0.json"


def test_manifest_validates_against_the_official_schema(tmp_path: Path) -> None:
    path = write_manifest(url="https://bot.example.com/", out=tmp_path / "manifest" / "slack.json")
    manifest = json.loads(path.read_text())
    Draft7Validator(json.loads(SCHEMA.read_text())).validate(manifest)
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == "https://bot.example.com/slack/events"
    assert settings["interactivity"]["request_url"] == "https://bot.example.com/slack/events"
    assert manifest["features"]["slash_commands"][0]["command"] == slack_app.COMMAND
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_schema_rejects_a_broken_manifest() -> None:
    manifest = build_manifest(url="https://bot.example.com")
    manifest["features"]["shortcuts"][0]["name"] = "x" * 25
    assert list(Draft7Validator(json.loads(SCHEMA.read_text())).iter_errors(manifest))


def test_every_listened_event_is_subscribed_and_back() -> None:
    subscribed = build_manifest(url="https://x.example")["settings"]["event_subscriptions"]["bot_events"]
    assert {name.split(".")[0] for name in subscribed} == set(slack_app.EVENTS)


def test_shortcuts() -> None:
    shortcuts = build_manifest(url="https://x.example")["features"]["shortcuts"]
    assert {(s["type"], s["callback_id"]) for s in shortcuts} == {
        ("global", "friction.report"),
        ("global", "flag.global"),
        ("message", "flag.message"),
    }
    assert len(SHORTCUTS) == 3


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
    body.update(event=event, event_id=f"Ev-{name}")
    return body


@pytest.mark.parametrize(
    "name", build_manifest(url="https://x.example")["settings"]["event_subscriptions"]["bot_events"]
)
async def test_every_subscribed_event_is_handled(name: str, slack: SlackClient, fake: FakeSlackApi) -> None:
    response = await slack.event(subscribed_event(name))
    assert response.status == 200  # Bolt answers 404 to an event no listener takes
    await fake.wait_for("users.info")  # the listener ran: it looked the person up


async def test_an_unsubscribed_event_has_no_listener(slack: SlackClient) -> None:
    response = await slack.event(fixture("event_reaction_added.json"))
    assert response.status == 404
