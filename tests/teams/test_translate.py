"""Recorded activities (tests/fixtures/teams, from botbuilder-python's tests) -> neutral events."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.teams.translate import conversation_reference, translate
from bot.events import Clicked, Opened, Said, Shortcut, Submitted
from tests.teams.conftest import BOT, TENANT, fixture

SERVICE_URL = "https://smba.trafficmanager.net/emea/"
# Several upstream test activities lack the envelope; merge the one Teams always sends (see README).
ENVELOPE: dict[str, Any] = {
    "id": "1741702606984",
    "serviceUrl": SERVICE_URL,
    "from": {"id": "29:user", "name": "Ada Lovelace", "aadObjectId": "aad-ada"},
    "recipient": BOT,
    "conversation": {"id": "a:personal-ada", "conversationType": "personal", "tenantId": TENANT},
}


def with_envelope(name: str, **extra: Any) -> dict[str, Any]:
    return {**ENVELOPE, **fixture(name), **extra}


def test_group_chat_mention_is_a_mention() -> None:
    event = translate(fixture("message_groupchat_mention.json"))
    assert isinstance(event, Said)
    assert event.via == "mention" and event.text == "Hallo"
    assert event.message_id == "1741702606984"
    # unique within a conversation only, so the de-duplication key carries the conversation too
    assert (
        event.event_id == f"{fixture('message_groupchat_mention.json')['conversation']['id']}|1741702606984"
    )
    assert event.place.workspace == "REDACTED" and not event.place.is_direct
    assert event.actor.address == {}  # a group chat is no way to reach the person directly
    assert event.place.address["serviceUrl"] == "https://smba.trafficmanager.net/emea/REDACTED/"


def test_at_mention_text_is_stripped() -> None:
    activity = with_envelope("message_at_mention.json", recipient={"id": "TestOAuth619"})
    activity["conversation"] = {
        "id": "19:abc@thread.skype;messageid=1741702606984",
        "conversationType": "channel",
    }
    event = translate(activity)
    assert isinstance(event, Said)
    assert event.text == "test activity" and event.via == "mention"
    assert event.place.channel_id == "19:abc@thread.skype"


def test_reply_in_a_channel_thread() -> None:
    activity = with_envelope("message_at_mention.json", recipient={"id": "TestOAuth619"}, id="999")
    activity["conversation"] = {"id": "19:abc@thread.skype;messageid=1700", "conversationType": "channel"}
    event = translate(activity)
    assert isinstance(event, Said)
    assert event.via == "thread_reply" and event.place.thread_id == "1700"


def test_a_channel_post_that_does_not_mention_the_bot_is_not_for_it() -> None:
    """With resource-specific consent Teams sends every post in the channel; only mentions are the bot's."""
    activity = with_envelope("message_at_mention.json", recipient={"id": "TestOAuth619"}, id="1700")
    activity.update(text="lunch?", entities=[{"type": "clientInfo", "locale": "en-GB"}])
    activity["conversation"] = {"id": "19:abc@thread.skype;messageid=1700", "conversationType": "channel"}
    assert translate(activity) is None
    activity["conversation"] = {"id": "19:abc@thread.skype;messageid=1600", "conversationType": "channel"}
    reply = translate(activity)  # a reply: the engine decides whether the thread is one it reads
    assert isinstance(reply, Said) and reply.via == "thread_reply" and not reply.mentioned


def test_personal_message_stores_the_conversation_reference() -> None:
    event = translate({**ENVELOPE, "type": "message", "channelId": "msteams", "text": "help"})
    assert isinstance(event, Said)
    assert event.via == "message" and event.place.is_direct
    assert event.actor.user_id == "aad-ada" and event.actor.workspace == TENANT
    assert event.actor.address == conversation_reference({**ENVELOPE, "channelId": "msteams"})
    assert event.actor.address["conversation"]["tenantId"] == TENANT
    assert event.actor.address["bot"]["id"] == BOT["id"]


def test_user_text_mentioning_others_keeps_their_names_but_no_markup() -> None:
    event = translate(
        {**ENVELOPE, "type": "message", "channelId": "msteams", "text": "ask <at>Everyone</at> &amp; go"}
    )
    assert isinstance(event, Said) and event.text == "ask Everyone & go"


def test_action_submit_button_and_form() -> None:
    click = translate(
        {
            **ENVELOPE,
            "type": "message",
            "channelId": "msteams",
            "replyToId": "m1",
            "value": {"coach_action": "help.show", "coach_value": "x"},
        }
    )
    assert isinstance(click, Clicked)
    assert (click.action_id, click.value, click.message_id) == ("help.show", "x", "m1")
    form = translate(
        {
            **ENVELOPE,
            "type": "message",
            "channelId": "msteams",
            "value": {
                "coach_form": "people.settings",
                "coach_context": "c",
                "workday_start": 9,
                "timezone": "UTC",
            },
        }
    )
    assert isinstance(form, Submitted)
    assert form.form_id == "people.settings" and form.context == "c"
    assert dict(form.values) == {"workday_start": "9", "timezone": "UTC"}


def test_action_execute_invoke() -> None:
    event = translate(
        {
            **ENVELOPE,
            "type": "invoke",
            "channelId": "msteams",
            "name": "adaptiveCard/action",
            "value": {"action": {"type": "Action.Execute", "verb": "help.show", "data": {}}},
        }
    )
    assert isinstance(event, Clicked) and event.action_id == "help.show"


@pytest.mark.parametrize(
    "name", ["invoke_compose_extension_fetch_task.json", "invoke_compose_extension_submit_action.json"]
)
def test_message_extension_flag_action(name: str) -> None:
    activity = with_envelope(name)
    assert translate(activity) is None  # upstream's commandId is "test_command": not ours
    activity["value"] = {
        **activity["value"],
        "commandId": "flagOutput",
        "commandContext": "message",
        "data": {},
        "messagePayload": {
            "linkToMessage": "https://teams.example/l/message/1",
            "body": {"contentType": "html", "content": "<p>The AI said <b>42</b></p>"},
            "from": {"user": {"displayName": "Copilot"}},
        },
    }
    event = translate(activity)
    assert isinstance(event, Shortcut)
    assert event.shortcut_id == "flag.message"
    assert event.message_text == "The AI said 42"
    assert event.message_link == "https://teams.example/l/message/1"
    assert event.message_author == "Copilot"


def test_bot_added_and_installation_are_opened_install() -> None:
    added = translate(with_envelope("conversation_update_bot_added.json", recipient={"id": "botid"}))
    assert isinstance(added, Opened) and added.surface == "install"
    installed = translate(with_envelope("installation_update_add.json"))
    assert isinstance(installed, Opened) and installed.actor.address  # personal: reachable later


@pytest.mark.parametrize(
    "name",
    [
        "conversation_update_members_added.json",
        "conversation_update_members_removed.json",
        "installation_update_remove.json",
    ],
)
def test_other_updates_are_ignored(name: str) -> None:
    assert translate(with_envelope(name)) is None


def test_activity_without_sender_is_ignored() -> None:
    assert translate(fixture("conversation_update_bot_added.json")) is None
