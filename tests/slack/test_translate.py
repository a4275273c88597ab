"""translate(): recorded Slack payloads -> neutral events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.translate import (
    Profile,
    plain,
    strip_mentions,
    translate,
    with_message_link,
    with_profile,
)
from bot.events import Clicked, Opened, Said, Shortcut, Submitted

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


EXPECTED: dict[str, tuple[type | None, dict[str, Any]]] = {
    "event_message_im_top_level.json": (
        Said,
        {"text": "A top-level DM, not in a thread", "via": "message", "event_id": "Ev111"},
    ),
    "event_message_im.json": (Said, {"text": "When Slack was released?", "via": "message"}),
    "event_app_mention.json": (Said, {"text": "Hi there!", "via": "mention", "event_id": "Ev111"}),
    "event_app_home_opened_home_tab.json": (Opened, {"surface": "home", "event_id": "Ev111"}),
    "event_app_home_opened.json": (Opened, {"surface": "first_contact"}),
    "slash_command.fields.json": (
        Said,
        {"text": "Hi", "via": "command", "event_id": "interaction:111.111.xxx"},
    ),
    "block_actions.json": (Clicked, {"action_id": "a", "value": "click_me_123", "message_id": "111.222"}),
    "view_submission.json": (
        Submitted,
        {"form_id": "view-id", "values": {"hspI": "test"}, "context": "This is for you!"},
    ),
    "shortcut_global.json": (Shortcut, {"shortcut_id": "test-shortcut", "message_text": None}),
    "shortcut_message_action.json": (
        Shortcut,
        {"shortcut_id": "test-shortcut", "message_text": "<@W222> test", "message_author": "W111"},
    ),
    # Plain channel messages (not thread replies), joins, reactions and closed modals are ignored.
    "event_message_channel.json": (None, {}),
    "event_member_joined_channel.json": (None, {}),
    "event_member_joined_channel_bot_self.json": (None, {}),
    "event_reaction_added.json": (None, {}),
    "view_closed.json": (None, {}),
    "url_verification.json": (None, {}),
    # A deactivated account is no conversation: its own listener hands the person's roles over (tests/ownership).
    "event_user_change.json": (None, {}),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_translates(name: str) -> None:
    kind, fields = EXPECTED[name]
    event = translate(load(name), bot_user_id="W111")
    if kind is None:
        assert event is None
        return
    assert event is not None and isinstance(event, kind)
    for key, value in fields.items():
        assert getattr(event, key) == value, key
    assert event.actor.platform == "slack"
    assert event.actor.workspace == "T111"
    assert event.actor.address["team"] == "T111"
    assert event.actor.address["user"] == event.actor.user_id


def test_every_fixture_is_covered() -> None:
    names = {p.name for p in FIXTURES.glob("*.json")}
    assert names == set(EXPECTED)


def test_dm_address_carries_the_dm_channel() -> None:
    event = translate(load("event_message_im_top_level.json"))
    assert isinstance(event, Said)
    assert event.place.is_direct
    assert event.actor.address == {"team": "T111", "user": "W222", "channel": "D111"}
    assert event.place.thread_id is None


def test_dm_thread_reply_keeps_its_thread() -> None:
    event = translate(load("event_message_im.json"))
    assert isinstance(event, Said)
    assert event.place.thread_id == "1726133698.626339"


def test_mention_place_is_the_channel() -> None:
    event = translate(load("event_app_mention.json"), bot_user_id="W111")
    assert isinstance(event, Said)
    assert not event.place.is_direct
    assert event.place.address == {"team": "T111", "channel": "C111"}
    assert event.actor.address == {"team": "T111", "user": "W222"}


def test_thread_reply_in_a_channel() -> None:
    body = load("event_message_channel.json")
    body["event"]["thread_ts"] = "1596183000.000100"
    event = translate(body, bot_user_id="UBOT")
    assert isinstance(event, Said)
    assert event.via == "thread_reply"
    assert event.place.thread_id == "1596183000.000100"


def test_threads_started_by_others_are_ignored() -> None:
    body = load("event_message_channel.json")
    body["event"].update(thread_ts="1596183000.000100", parent_user_id="UOTHER")
    assert translate(body, bot_user_id="UBOT") is None
    body["event"]["parent_user_id"] = "UBOT"
    assert translate(body, bot_user_id="UBOT") is not None


def test_thread_reply_mentioning_the_bot_is_left_to_app_mention() -> None:
    body = load("event_message_channel.json")
    body["event"].update(thread_ts="1596183000.000100", text="<@UBOT> help")
    assert translate(body, bot_user_id="UBOT") is None


@pytest.mark.parametrize(
    "change",
    [
        {"bot_id": "B123"},
        {"subtype": "message_changed"},
        {"subtype": "channel_join"},
        {"user": "UBOT"},
    ],
)
def test_bot_messages_and_subtypes_are_ignored(change: dict[str, Any]) -> None:
    body = load("event_message_im_top_level.json")
    body["event"].update(change)
    assert translate(body, bot_user_id="UBOT") is None


def test_slash_command_in_a_dm() -> None:
    fields = load("slash_command.fields.json") | {"channel_id": "D999", "text": "  admins   add x@y.z "}
    event = translate(fields)
    assert isinstance(event, Said)
    assert event.text == "admins add x@y.z"
    assert event.place.is_direct
    assert event.actor.address["channel"] == "D999"


def test_repeated_action_ids_are_unmarked() -> None:
    body = load("block_actions.json")
    body["actions"][0]["action_id"] = "form.open#2"
    event = translate(body)
    assert isinstance(event, Clicked)
    assert event.action_id == "form.open"


def test_clicks_without_a_trigger_are_keyed_per_person() -> None:
    # action_ts is a time, not an id: two people clicking at once must not be one event
    keys = set()
    for user in ("W111", "W222"):
        body = load("block_actions.json")
        body.pop("trigger_id")
        body["user"]["id"] = user
        event = translate(body)
        assert isinstance(event, Clicked) and event.event_id
        keys.add(event.event_id)
    assert len(keys) == 2
    assert translate(load("block_actions.json")).event_id == "interaction:111.222.valid"  # type: ignore[union-attr]


def test_link_buttons_send_no_click() -> None:
    body = load("block_actions.json")
    body["actions"][0]["action_id"] = "link.0"
    assert translate(body) is None


def test_submission_reads_every_input_kind() -> None:
    body = load("view_submission.json")
    body["view"]["state"]["values"] = {
        "a": {"a": {"type": "plain_text_input", "value": "x"}},
        "b": {"b": {"type": "static_select", "selected_option": {"value": "opt"}}},
        "c": {"c": {"type": "number_input", "value": "7"}},
        "d": {"d": {"type": "datepicker", "selected_date": "2026-11-30"}},
        "e": {"e": {"type": "plain_text_input", "value": None}},
    }
    event = translate(body)
    assert isinstance(event, Submitted)
    assert event.values == {"a": "x", "b": "opt", "c": "7", "d": "2026-11-30", "e": ""}
    assert event.event_id == "interaction:111.222.valid"


def test_strip_mentions() -> None:
    assert strip_mentions("<@UBOT> settings  please", "UBOT") == "settings please"
    assert strip_mentions("<@UBOT|coach> help", "UBOT") == "help"
    assert strip_mentions("<@UX> help", None) == "help"
    assert strip_mentions("ask <@UOTHER> later", "UBOT") == "ask <@UOTHER> later"


def test_profile_and_permalink_are_merged() -> None:
    event = translate(load("shortcut_message_action.json"))
    assert event is not None
    event = with_message_link(
        with_profile(event, Profile("Ada", "ada@example.com", "Europe/Paris")), "https://x"
    )
    assert isinstance(event, Shortcut)
    assert (event.actor.display_name, event.actor.email, event.actor.timezone) == (
        "Ada",
        "ada@example.com",
        "Europe/Paris",
    )
    assert event.message_link == "https://x"


@pytest.mark.parametrize(
    ("slack_text", "typed"),
    [
        ("admins add <mailto:bob@example.com|bob@example.com>", "admins add bob@example.com"),
        ("see <https://example.com/a|https://example.com/a>", "see https://example.com/a"),
        ("see <https://example.com/a|the docs>", "see the docs (https://example.com/a)"),
        ("see <https://example.com/a>", "see https://example.com/a"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
        ("&amp;lt; stays", "&lt; stays"),
        ("ping <@U123> in <#C1|general> <!here>", "ping <@U123> in <#C1|general> <!here>"),
    ],
)
def test_slack_formatting_is_undone(slack_text: str, typed: str) -> None:
    assert plain(slack_text) == typed


def test_dm_text_is_plain() -> None:
    body = load("event_message_im_top_level.json")
    body["event"]["text"] = "admins add <mailto:bob@example.com|bob@example.com>"
    event = translate(body)
    assert isinstance(event, Said)
    assert event.text == "admins add bob@example.com"


def test_a_forwarded_message_in_a_dm_is_the_flag_shortcut() -> None:
    body = load("event_message_im.json")
    body["event"]["attachments"] = [
        {
            "is_share": True,
            "text": "Output <https://x.example|here>",
            "from_url": "https://w.slack.com/archives/C1/p1",
        },
    ]
    event = translate(body)
    assert isinstance(event, Shortcut) and event.shortcut_id == "flag.message"
    assert (event.message_text, event.message_link) == (
        "Output here (https://x.example)",
        "https://w.slack.com/archives/C1/p1",
    )
    body["event"]["attachments"] = [{"title": "A link preview", "text": "not a forward"}]
    assert isinstance(translate(body), Said)


def test_a_form_button_that_carries_what_was_written_reaches_the_engine_as_id_and_context() -> None:
    body = load("block_actions.json")
    body["actions"][0].update(
        action_id="form.open", value='{"open":"escalation.flag|ctx","prefill":{"output":"x"}}'
    )
    event = translate(body)
    assert isinstance(event, Clicked) and event.value == "escalation.flag|ctx"
