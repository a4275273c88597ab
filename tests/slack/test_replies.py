"""show_replies(): where each kind of reply goes on Slack, asserted on the fake Web API's calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.slack.clients import api_client
from adapters.slack.directory import Directory
from adapters.slack.replies import Surface, show_replies
from bot.events import Actor, Clicked, Event, Opened, Place, Said
from bot.messages import Field, Form, Reply, text_message
from tests.fakes.slack_api import FakeSlackApi

TOKEN = "xoxb-deliver"
FORM = Form(form_id="people.settings", title="Your settings", fields=(Field("timezone", "Time zone"),))


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi(token=TOKEN)
    await fake.start()
    yield fake
    await fake.close()


async def send(api: FakeSlackApi, event: Event, replies: list[Reply], surface: Surface | None = None) -> None:
    client = api_client(token=TOKEN, base_url=api.base_url, retry_rate_limits=False)
    await show_replies(event, replies, surface or Surface(), client=client, directory=Directory())


def actor(user: str = "U1", channel: str | None = None) -> Actor:
    address = {"team": "T1", "user": user} | ({"channel": channel} if channel else {})
    return Actor("slack", "T1", user, address=address)


def dm(text: str = "hi", thread: str | None = None) -> Said:
    return Said(actor(channel="D1"), Place("slack", "T1", "D1", True, thread), text, message_id="5.5")


def in_channel(via: Any = "mention") -> Said:
    return Said(actor(), Place("slack", "T1", "C1", False), "hi", message_id="7.7", via=via)


async def test_dm_reply_is_posted_in_the_dm(api: FakeSlackApi) -> None:
    await send(api, dm(), [Reply(message=text_message("hello"))])
    (post,) = api.to("chat.postMessage")
    assert post["channel"] == "D1" and "thread_ts" not in post


async def test_a_reply_in_a_thread_stays_in_it(api: FakeSlackApi) -> None:
    await send(api, dm(thread="1.1"), [Reply(message=text_message("hello"))])
    assert api.to("chat.postMessage")[0]["thread_ts"] == "1.1"
    await send(api, in_channel(), [Reply(message=text_message("hello"), in_thread=True)])
    assert api.to("chat.postMessage")[1]["thread_ts"] == "7.7"


async def test_ephemeral_in_a_channel(api: FakeSlackApi) -> None:
    await send(api, in_channel(), [Reply(message=text_message("only you"), ephemeral=True)])
    (post,) = api.to("chat.postEphemeral")
    assert (post["channel"], post["user"]) == ("C1", "U1")
    await send(api, dm(), [Reply(message=text_message("in a DM it stays"), ephemeral=True)])
    assert api.to("chat.postMessage")[0]["channel"] == "D1"


async def test_a_form_opens_with_the_trigger_once(api: FakeSlackApi) -> None:
    await send(api, dm(), [Reply(form=FORM), Reply(form=FORM)], Surface(trigger_id="trig"))
    (opened,) = api.to("views.open")
    assert opened["trigger_id"] == "trig"
    assert opened["view"]["callback_id"] == "people.settings"
    button = api.to("chat.postMessage")[0]["blocks"][-1]["elements"][0]
    assert (button["action_id"], button["value"]) == ("form.open", "people.settings|")


async def test_without_a_trigger_a_form_is_a_button(api: FakeSlackApi) -> None:
    await send(api, dm(), [Reply(form=FORM)])
    assert api.to("views.open") == []
    assert "form.open" in str(api.to("chat.postMessage")[0]["blocks"])


async def test_replace_source_updates_the_clicked_message(api: FakeSlackApi) -> None:
    api.history["DU1"].append({"type": "message", "ts": "9.9", "user": "UBOT", "text": "choose"})
    click = Clicked(actor(channel="DU1"), Place("slack", "T1", "DU1", True), "x", message_id="9.9")
    await send(api, click, [Reply(message=text_message("done"), replace_source=True)])
    (update,) = api.to("chat.update")
    assert (update["channel"], update["ts"]) == ("DU1", "9.9")
    assert api.history["DU1"][0]["text"] == "done"


async def test_a_stale_note_is_ephemeral_even_in_a_dm(api: FakeSlackApi) -> None:
    """ "Already recorded" answers a click that changed nothing: only the clicker sees it, once."""
    note = Reply(message=text_message("Already recorded: **4**"), ephemeral=True, stale=True)
    in_dm = Clicked(actor(channel="DU1"), Place("slack", "T1", "DU1", True), "x", message_id="9.9")
    in_c1 = Clicked(actor(), Place("slack", "T1", "C1", False), "x", message_id="9.9")
    await send(api, in_dm, [note])
    await send(api, in_c1, [note])
    assert [(p["channel"], p["user"]) for p in api.to("chat.postEphemeral")] == [("DU1", "U1"), ("C1", "U1")]
    assert api.to("chat.postMessage") == []


async def test_replace_source_of_an_ephemeral_uses_the_response_url(api: FakeSlackApi) -> None:
    answers: list[dict[str, Any]] = []

    async def respond(**kwargs: Any) -> None:
        answers.append(kwargs)

    click = Clicked(actor(), Place("slack", "T1", "C1", False), "x", message_id="9.9")
    surface = Surface(respond=respond, source_is_ephemeral=True)
    await send(api, click, [Reply(message=text_message("done"), replace_source=True)], surface)
    assert answers[0]["replace_original"] is True
    assert api.to("chat.update") == []


async def test_no_channel_means_the_persons_dm(api: FakeSlackApi) -> None:
    event = Said(actor("U7"), Place("slack", "T1", "", True), "x")
    await send(api, event, [Reply(message=text_message("to your DM"))])
    assert api.to("conversations.open") == [{"users": "U7"}]
    assert api.to("chat.postMessage")[0]["channel"] == "DU7"


async def test_home_is_published_with_the_turns_messages(api: FakeSlackApi) -> None:
    opened = Opened(actor(channel="D1"), Place("slack", "T1", "D1", True), surface="home")
    await send(api, opened, [Reply(message=text_message("**Your progress**"))])
    (view,) = api.to("views.publish")
    assert view["user_id"] == "U1"
    assert view["view"]["blocks"][0]["text"]["text"] == "*Your progress*"


async def test_a_refused_reply_does_not_stop_the_others(api: FakeSlackApi) -> None:
    from tests.fakes.slack_api import Failure

    api.fail_next("chat.postMessage", Failure(status=200, error="channel_not_found", retry_after=None))
    await send(api, dm(), [Reply(message=text_message("one")), Reply(message=text_message("two"))])
    assert [p["text"] for p in api.to("chat.postMessage")] == ["two"]


async def test_an_unreachable_response_url_is_a_warning_and_the_turn_goes_on(
    api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    async def respond(**kwargs: Any) -> None:  # what Bolt's respond() does with a dead response_url
        await AsyncWebhookClient("http://127.0.0.1:9/respond").send(**kwargs)

    command = Said(actor(channel="D1"), Place("slack", "T1", "D1", True), "help", via="command")
    await send(api, command, [Reply(message=text_message("one")), Reply(message=text_message("two"))],
               Surface(respond=respond, respond_all=True))  # fmt: skip
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "could not be reached" in r.message]
    assert len(warnings) == 2 and not [r for r in caplog.records if r.levelname == "ERROR"]
