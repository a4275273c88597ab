"""The real Bolt app over HTTP: signed requests in, Web API calls to the fake out."""

from __future__ import annotations

import asyncio
import logging
import os
import time

import pytest

from adapters.runtime import Runtime
from adapters.slack.app import SlackAdapter
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import ADA, BOB, TOKEN, SlackClient, fixture


def all_text(call: dict[str, object]) -> str:
    return str(call.get("blocks")) + str(call.get("text"))


async def test_url_verification_echoes_the_challenge(slack: SlackClient) -> None:
    body = fixture("url_verification.json")
    response = await slack.event(body)
    assert response.status == 200
    assert (await response.json()) == {"challenge": body["challenge"]}


def test_bolt_starts_quietly_with_the_token_in_the_environment(
    slack_runtime: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """SLACK_BOT_TOKEN set in the environment, as a deployment sets it: Bolt, given the coach's client,
    used to warn at every start that the token it read from there would be unused."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    with caplog.at_level(logging.INFO, logger="slack_bolt"):
        adapter = SlackAdapter(slack_runtime)
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")]
    assert adapter.bolt.client is adapter.client and adapter.client.token == TOKEN
    assert os.environ["SLACK_BOT_TOKEN"] == TOKEN  # the environment is as it was


async def test_bad_signature_is_refused(slack: SlackClient, fake: FakeSlackApi) -> None:
    response = await slack.dm(BOB, "help", event_id="Ev1", secret="not-the-secret")
    assert response.status == 401
    await asyncio.sleep(0)
    assert fake.to("chat.postMessage") == []


async def test_stale_timestamp_is_refused(slack: SlackClient, fake: FakeSlackApi) -> None:
    response = await slack.dm(BOB, "help", event_id="Ev1", timestamp=int(time.time()) - 301)
    assert response.status == 401
    assert fake.to("chat.postMessage") == []


async def test_dm_help_lists_the_commands(slack: SlackClient, fake: FakeSlackApi) -> None:
    response = await slack.dm(BOB, "help", event_id="Ev1")
    assert response.status == 200
    posts = await fake.wait_for("chat.postMessage", 2)  # the welcome on first contact, then help
    assert [p["channel"] for p in posts] == ["DUBOB", "DUBOB"]
    assert "Welcome, Bob" in all_text(posts[0])
    assert "help.show" in all_text(posts[0])
    assert "`settings`" in all_text(posts[1])
    assert "`admins" not in all_text(posts[1])  # Bob is no admin: no admin commands
    assert fake.to("users.info")[0]["user"] == BOB


async def test_the_ack_does_not_wait_for_the_work(slack: SlackClient, fake: FakeSlackApi) -> None:
    release = fake.hold("chat.postMessage")
    response = await slack.dm(BOB, "help", event_id="Ev1")
    assert response.status == 200  # acked while the answer is still held at the Web API
    assert fake.to("chat.postMessage") == []
    release.set()
    await fake.wait_for("chat.postMessage", 2)


async def test_a_retried_event_is_answered_once(slack: SlackClient, fake: FakeSlackApi) -> None:
    await slack.dm(ADA, "help", event_id="EvRetry")
    await fake.wait_for("chat.postMessage", 2)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    response = await slack.dm(ADA, "help", event_id="EvRetry", headers=retry)
    assert response.status == 200
    await slack.dm(ADA, "help", event_id="EvNext")  # a later, different event is answered
    posts = await fake.wait_for("chat.postMessage", 3)
    await asyncio.sleep(0.1)
    assert len(fake.to("chat.postMessage")) == 3
    assert "`admins" in all_text(posts[2])


async def test_slash_command_answers_through_the_response_url(slack: SlackClient, fake: FakeSlackApi) -> None:
    fields = fixture("slash_command.fields.json")
    fields.update(command="/coach", text="help", user_id=BOB, response_url=fake.response_url("cmd"))
    response = await slack.command(fields)
    assert response.status == 200
    answers = await fake.wait_for("response_url", 2)
    assert all(a["response_type"] == "ephemeral" for a in answers)
    assert "`settings`" in all_text(answers[-1])


async def test_welcome_button_shows_help(slack: SlackClient, fake: FakeSlackApi) -> None:
    await slack.dm(BOB, "hello", event_id="Ev1")
    await fake.wait_for("chat.postMessage", 2)
    click = fixture("block_actions.json")
    click["user"]["id"] = BOB
    click["container"].update(channel_id=f"D{BOB}", is_ephemeral=False)
    click["channel"]["id"] = f"D{BOB}"
    click["actions"][0].update(action_id="help.show", value="")
    response = await slack.interaction(click)
    assert response.status == 200
    posts = await fake.wait_for("chat.postMessage", 3)
    assert "`settings`" in all_text(posts[2])


async def test_user_text_is_echoed_inert(slack: SlackClient, fake: FakeSlackApi) -> None:
    await slack.dm(ADA, "admins remove <!channel>", event_id="Ev1")
    posts = await fake.wait_for("chat.postMessage")  # a known error: rolled back, no welcome
    answer = all_text(posts[-1])
    assert "&lt;!channel&gt;" in answer
    assert "<!channel>" not in answer


async def test_app_home_opened_publishes_the_home(slack: SlackClient, fake: FakeSlackApi) -> None:
    body = fixture("event_app_home_opened_home_tab.json")
    body["event"]["user"] = BOB
    await slack.event(body)
    views = await fake.wait_for("views.publish")
    assert views[0]["user_id"] == BOB
    assert views[0]["view"]["type"] == "home"


async def test_mention_is_answered_in_the_channel(slack: SlackClient, fake: FakeSlackApi) -> None:
    body = fixture("event_app_mention.json")
    body["event"].update(user=BOB, text="<@UBOT> help")
    await slack.event(body)
    (answer,) = await fake.wait_for("chat.postMessage")
    assert answer["channel"] == "C111" and "`settings`" in all_text(answer)
    (welcome,) = fake.to("chat.postEphemeral")  # first contact in a channel: the welcome is Bob's alone
    assert (welcome["channel"], welcome["user"]) == ("C111", BOB) and "Welcome" in welcome["text"]


async def test_runtime_has_the_slack_sender(slack: SlackClient, slack_runtime: Runtime) -> None:
    assert slack_runtime.dispatcher.senders["slack"].platform == "slack"
