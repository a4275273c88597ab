"""Slack payloads, broken a little, through the real translate code: a valid event or nothing, never an
exception (which Bolt would answer with a 500 and Slack retry)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.slack.translate import translate
from tests.fuzz.mutate import JSON_VALUES, mutated
from tests.fuzz.valid import assert_valid
from tests.slack.conftest import fixture

PAYLOADS = [
    "block_actions.json",
    "event_app_home_opened.json",
    "event_app_home_opened_home_tab.json",
    "event_app_mention.json",
    "event_message_channel.json",
    "event_message_im.json",
    "event_message_im_top_level.json",
    "shortcut_global.json",
    "shortcut_message_action.json",
    "slash_command.fields.json",
    "view_submission.json",
]


@pytest.mark.parametrize("name", PAYLOADS)
@given(data=st.data())
def test_a_broken_slack_payload_is_an_event_or_nothing(name: str, data: st.DataObject) -> None:
    payload = data.draw(mutated(fixture(name)))
    assert_valid(translate(payload, bot_user_id="UBOT"))
    assert_valid(translate(payload))


@given(payload=st.dictionaries(st.sampled_from(["type", "command", "event", "user", "actions", "view"]),
                               JSON_VALUES, max_size=4))  # fmt: skip
def test_any_json_object_is_an_event_or_nothing(payload: dict[str, Any]) -> None:
    assert_valid(translate(payload))


def _without(name: str, *path: str) -> dict[str, Any]:
    payload = fixture(name)
    node = payload
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return payload


# What the fuzzer found, pinned: each raised (KeyError, TypeError) before translate read by type.
FOUND = [
    _without("block_actions.json", "user"),
    {**fixture("view_submission.json"), "user": None},
    {**fixture("event_app_mention.json"), "event": {**fixture("event_app_mention.json")["event"], "channel": 7}},
    {**fixture("block_actions.json"), "actions": [None]},
    {**fixture("view_submission.json"), "view": {"state": {"values": {"b": ["x"]}}}},
]


@pytest.mark.parametrize("payload", FOUND)
def test_what_the_fuzzer_found_is_an_event_or_nothing(payload: dict[str, Any]) -> None:
    assert_valid(translate(payload))
