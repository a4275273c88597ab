"""SlackSender against the fake Web API: posting, threading, updating, and Slack's failures mapped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier

from adapters.slack.clients import api_client
from adapters.slack.sender import SlackSender
from bot.messages import text_message
from bot.ports import Outgoing, PermanentFailure, RetryLater, Unreachable
from tests.fakes.slack_api import Failure, FakeSlackApi

TOKEN = "xoxb-sender"


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi(token=TOKEN)
    await fake.start()
    yield fake
    await fake.close()


def sender(api: FakeSlackApi, *, token: str = TOKEN, interval: float = 0.0) -> SlackSender:
    client = api_client(token=token, base_url=api.base_url, retry_rate_limits=False)
    return SlackSender(client, per_channel_interval=interval)


def outgoing(address: dict[str, str], **kwargs: Any) -> Outgoing:
    return Outgoing(address=address, message=text_message("Hello **there**"), idempotency_key="k:1", **kwargs)


async def test_posts_with_the_key_in_metadata(api: FakeSlackApi) -> None:
    sent = await sender(api).send(outgoing({"team": "T1", "user": "U1", "channel": "D1"}))
    (post,) = api.to("chat.postMessage")
    assert post["channel"] == "D1"
    assert post["text"] == "Hello there"
    assert post["blocks"][0]["text"]["text"] == "Hello *there*"
    assert post["metadata"] == {"event_type": "coach_outbox", "event_payload": {"key": "k:1"}}
    assert "thread_ts" not in post
    assert sent.message_id == sent.thread_id
    assert api.history["D1"][0]["metadata"]["event_payload"]["key"] == "k:1"


async def test_a_dm_goes_to_the_user_id_and_its_channel_is_learned(api: FakeSlackApi) -> None:
    sent = await sender(api).send(outgoing({"team": "T1", "user": "U2"}))
    assert api.to("conversations.open") == []  # no Tier 3 call per person
    assert api.to("chat.postMessage")[0]["channel"] == "U2"
    assert sent.address == {"team": "T1", "user": "U2", "channel": "DU2"}  # stored by the dispatcher


async def test_an_absurd_retry_after_is_capped(api: FakeSlackApi) -> None:
    api.fail_next("chat.postMessage", Failure(status=429, retry_after=10**9))
    with pytest.raises(RetryLater) as caught:
        await sender(api).send(outgoing({"team": "T1", "channel": "C1"}))
    assert caught.value.throttled and caught.value.after_seconds == 300


async def test_a_look_back_that_cannot_be_made_waits_instead_of_posting(api: FakeSlackApi) -> None:
    api.fail_next("conversations.history", Failure(status=429, retry_after=5))
    with pytest.raises(RetryLater):
        await sender(api).send(outgoing({"team": "T1", "channel": "C1"}, look_back=True))
    assert api.to("chat.postMessage") == []  # a double is worse than a wait


async def test_replies_in_a_thread_and_updates(api: FakeSlackApi) -> None:
    slack = sender(api)
    sent = await slack.send(outgoing({"team": "T1", "channel": "C1"}, thread_id="1.5"))
    assert api.to("chat.postMessage")[0]["thread_ts"] == "1.5"
    assert sent.thread_id == "1.5"
    updated = await slack.send(outgoing({"team": "T1", "channel": "C1"}, update_message_id=sent.message_id))
    assert api.to("chat.update")[0]["ts"] == sent.message_id
    assert updated.message_id == sent.message_id


async def test_rate_limit_becomes_retry_later(api: FakeSlackApi) -> None:
    api.fail_next("chat.postMessage", Failure(status=429, retry_after=12))
    with pytest.raises(RetryLater) as caught:
        await sender(api).send(outgoing({"team": "T1", "channel": "C1"}))
    assert caught.value.after_seconds == 12


async def test_server_errors_are_retried(api: FakeSlackApi) -> None:
    api.fail_next("chat.postMessage", Failure(status=503, error="service_unavailable", retry_after=None))
    with pytest.raises(RetryLater):
        await sender(api).send(outgoing({"team": "T1", "channel": "C1"}))


async def test_bad_token_is_permanent(api: FakeSlackApi) -> None:
    with pytest.raises(PermanentFailure):
        await sender(api, token="xoxb-wrong").send(outgoing({"team": "T1", "channel": "C1"}))


@pytest.mark.parametrize("error", ["channel_not_found", "account_inactive", "is_archived"])
async def test_unreachable_or_dead_addresses(api: FakeSlackApi, error: str) -> None:
    api.fail_next("chat.postMessage", Failure(status=200, error=error, retry_after=None))
    with pytest.raises((Unreachable, PermanentFailure)):
        await sender(api).send(outgoing({"team": "T1", "channel": "C1"}))


async def test_posts_are_paced_per_channel(api: FakeSlackApi) -> None:
    api.post_limit, api.post_window = 1, 0.05  # the fake refuses a second post within 50 ms
    slack = sender(api, interval=0.06)
    for _ in range(3):
        await slack.send(outgoing({"team": "T1", "channel": "C1"}))
    assert len(api.to("chat.postMessage")) == 3
    assert all(call.ok for call in api.calls)


async def test_pacing_forgets_channels_that_went_quiet(api: FakeSlackApi) -> None:
    clock = [1000.0]
    client = api_client(token=TOKEN, base_url=api.base_url, retry_rate_limits=False)
    slack = SlackSender(client, per_channel_interval=1.0, monotonic=lambda: clock[0])
    for n in range(50):
        await slack.send(outgoing({"team": "T1", "channel": f"D{n}"}))
    assert len(slack._last_post) == 50
    clock[0] += 61  # a minute later, one more message
    await slack.send(outgoing({"team": "T1", "channel": "D-new"}))
    assert list(slack._last_post) == ["D-new"]  # months of DMs don't pile up in memory


async def test_the_fake_rate_limits_a_burst(api: FakeSlackApi) -> None:
    api.post_limit = 2
    slack = sender(api)
    await slack.send(outgoing({"team": "T1", "channel": "C9"}))
    await slack.send(outgoing({"team": "T1", "channel": "C9"}))
    with pytest.raises(RetryLater):
        await slack.send(outgoing({"team": "T1", "channel": "C9"}))


async def test_a_retried_row_already_posted_is_not_posted_again(api: FakeSlackApi) -> None:
    slack = sender(api)
    first = await slack.send(outgoing({"team": "T1", "channel": "C1"}))
    again = await slack.send(
        Outgoing(
            address={"team": "T1", "channel": "C1"},
            message=text_message("x"),
            idempotency_key="k:1",
            look_back=True,
        )
    )
    assert again.message_id == first.message_id
    assert len(api.to("chat.postMessage")) == 1
    assert api.to("conversations.history")[0]["include_all_metadata"] in (True, "true", "1")
    other = await slack.send(
        Outgoing(
            address={"team": "T1", "channel": "C1"},
            message=text_message("x"),
            idempotency_key="k:2",
            look_back=True,
        )
    )
    assert other.message_id != first.message_id
    assert len(api.to("chat.postMessage")) == 2


def test_signing_matches_slacks_published_example() -> None:
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    signature = SignatureVerifier("8f742231b10e8888abcd99yyyzzz85a5").generate_signature(
        timestamp="1531420618", body=body
    )
    assert signature == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
