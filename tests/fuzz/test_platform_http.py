"""Signed Slack requests carrying broken payloads, and unsigned Teams bodies of any shape, through the real
Bolt app and botbuilder adapter over HTTP: answered below 500, always."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.mutate import JSON_VALUES, mutated
from tests.slack.conftest import SlackClient, fake, fixture, slack, slack_runtime, slack_settings
from tests.teams.conftest import fixture as teams_fixture

__all__ = ["fake", "slack", "slack_runtime", "slack_settings"]  # the Slack fixtures, used here too

HTTP_EXAMPLES = settings(max_examples=max(20, settings.default.max_examples // 10))
INTERACTIONS = ["block_actions.json", "view_submission.json", "shortcut_global.json",
                "shortcut_message_action.json"]  # fmt: skip
EVENTS = ["event_app_mention.json", "event_message_im.json", "event_app_home_opened.json"]


@HTTP_EXAMPLES
@given(data=st.data())
async def test_a_signed_broken_slack_interaction_is_not_a_500(slack: SlackClient, data: st.DataObject) -> None:
    payload = data.draw(mutated(fixture(data.draw(st.sampled_from(INTERACTIONS)))))
    response = await slack.interaction(payload)
    assert response.status < 500, await response.text()


@HTTP_EXAMPLES
@given(data=st.data())
async def test_a_signed_broken_slack_event_is_not_a_500(slack: SlackClient, data: st.DataObject) -> None:
    payload = data.draw(mutated(fixture(data.draw(st.sampled_from(EVENTS)))))
    response = await slack.event(payload)
    assert response.status < 500, await response.text()


@pytest.fixture
async def teams_http(runtime: Any) -> Any:
    from aiohttp.test_utils import TestClient, TestServer

    from adapters.runtime import build_runtime
    from adapters.web.app import build_app
    from bot.config import load_settings

    settings_ = load_settings(
        COACH_DATABASE_URL=runtime.settings.database_url,
        TEAMS_APP_ID="00000000-0000-0000-0000-000000000001",
        TEAMS_APP_PASSWORD="not-used",
        COACH_LOCAL_CHAT="false",
        _env_file=None,
    )
    teams_runtime = build_runtime(settings_, clock=runtime.clock, store=runtime.store, content=runtime.content)
    async with TestClient(TestServer(build_app(teams_runtime))) as client:
        yield client


@HTTP_EXAMPLES
@given(data=st.data())
async def test_an_unsigned_teams_body_of_any_shape_is_not_a_500(teams_http: Any, data: st.DataObject) -> None:
    body = data.draw(mutated(teams_fixture("message_at_mention.json")) | JSON_VALUES)
    response = await teams_http.post(
        "/api/messages", data=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status < 500, await response.text()


# What the fuzzer found, pinned: Bolt read these shapes without looking and answered 500.
BOLT_FOUND = [
    {**fixture("block_actions.json"), "response_urls": None},
    {**fixture("block_actions.json"), "actions": []},
    {**fixture("block_actions.json"), "actions": [{"block_id": "b", "value": "v"}]},
    {**fixture("view_submission.json"), "view": ["not", "an", "object"]},
]


@pytest.mark.parametrize("payload", BOLT_FOUND)
async def test_what_the_fuzzer_found_is_a_400(slack: SlackClient, payload: dict[str, Any]) -> None:
    response = await slack.interaction(payload)
    assert response.status == 400 and (await response.json())["error"] == "malformed payload"
