"""Bot Framework activities, broken a little, through the real translate code: a valid event or nothing,
never an exception (botbuilder would answer it with a 500 and the Bot Connector retry)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.teams.translate import ACTION_KEY, CONTEXT_KEY, FORM_KEY, VALUE_KEY, translate
from tests.fuzz.mutate import JSON_VALUES, mutated
from tests.fuzz.valid import assert_valid
from tests.teams.conftest import FIXTURES, fixture

ACTIVITIES = sorted(path.name for path in FIXTURES.glob("*.json"))


def _clicked() -> dict[str, Any]:
    activity = fixture("message_at_mention.json")
    activity["value"] = {ACTION_KEY: "prog.answer", VALUE_KEY: "assistant:1:1:3"}
    return activity


def _submitted() -> dict[str, Any]:
    activity = fixture("message_at_mention.json")
    activity["value"] = {FORM_KEY: "flag", CONTEXT_KEY: "draft:1", "output": "text", "why": "wrong"}
    return activity


def _universal_action() -> dict[str, Any]:
    activity = fixture("message_at_mention.json")
    activity.update(type="invoke", name="adaptiveCard/action")
    activity["value"] = {"action": {"type": "Action.Execute", "verb": "ann.ack", "data": {VALUE_KEY: "1"}}}
    return activity


@pytest.mark.parametrize("name", ACTIVITIES)
@given(data=st.data())
def test_a_broken_teams_activity_is_an_event_or_nothing(name: str, data: st.DataObject) -> None:
    assert_valid(translate(data.draw(mutated(fixture(name)))))


@pytest.mark.parametrize("make", [_clicked, _submitted, _universal_action])
@given(data=st.data())
def test_broken_card_data_is_an_event_or_nothing(make: Any, data: st.DataObject) -> None:
    assert_valid(translate(data.draw(mutated(make()))))


@given(activity=st.dictionaries(st.sampled_from(["type", "from", "conversation", "value", "name", "entities",
                                                 "recipient", "membersAdded", "text"]),
                                JSON_VALUES, max_size=5))  # fmt: skip
def test_any_json_object_is_an_event_or_nothing(activity: dict[str, Any]) -> None:
    assert_valid(translate(activity))


# What the fuzzer found, pinned: each raised (AttributeError, TypeError) before translate read by type.
FOUND = [
    {**fixture("message_meeting_chat.json"), "from": None},
    {**fixture("message_at_mention.json"), "entities": [None, "x"]},
    {**fixture("conversation_update_members_added.json"), "membersAdded": [None]},
    {**_universal_action(), "value": {"action": "verb"}},
]


@pytest.mark.parametrize("activity", FOUND)
def test_what_the_fuzzer_found_is_an_event_or_nothing(activity: dict[str, Any]) -> None:
    assert_valid(translate(activity))
