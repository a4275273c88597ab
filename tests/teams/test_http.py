"""Every engine flow through real activities POSTed to /api/messages, asserting on the connector calls."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft6Validator
from sqlmodel import select

from adapters.runtime import Runtime, build_runtime
from adapters.teams.app import mount
from adapters.web.app import build_app
from bot.config import load_settings
from bot.outbox.models import OutboxMessage, OutboxState
from bot.ports import FixedClock
from bot.store.db import Store
from tests.conftest import PROJECT
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import BOT, Teams, adaptive_card_schema


def assert_valid_cards(bf: FakeBotFramework) -> None:
    validator = Draft6Validator(adaptive_card_schema())
    for card in bf.cards():
        validator.validate(card)


def submit_data(card: dict[str, Any]) -> dict[str, Any]:
    (action,) = [a for a in card.get("actions", []) if a["type"] == "Action.Submit"]
    data: dict[str, Any] = action["data"]
    return data


async def test_personal_help_replies_with_a_card_listing_commands(teams: Teams, bf: FakeBotFramework) -> None:
    response = await teams.post(teams.personal("help"))
    assert response.status == 201
    texts = "\n".join(bf.texts())
    assert "Welcome, Ada" in texts  # first contact
    assert "Here is what I can do for you" in texts
    assert "settings" in texts and "admins" in texts  # ada is an admin (COACH_ADMINS=aad-ada)
    assert all(call.conversation_id == "a:personal-ada" for call in bf.calls)
    assert_valid_cards(bf)


async def test_welcome_button_click_shows_help(teams: Teams, bf: FakeBotFramework) -> None:
    await teams.post(teams.personal("hi"))
    welcome = bf.cards()[0]
    data = submit_data(welcome)
    assert data == {"coach_action": "help.show", "coach_value": ""}
    welcome_id = bf.sent_id(welcome)
    bf.calls.clear()
    response = await teams.post(teams.submit(data, reply_to=welcome_id))
    assert response.status == 201
    assert "Here is what I can do for you" in "\n".join(bf.texts())
    assert_valid_cards(bf)


async def test_settings_form_errors_then_saved(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    await teams.post(teams.personal("settings"))
    settings_card = bf.cards()[-1]
    settings_id = bf.calls[-1].sent_id
    assert settings_id is not None
    bf.calls.clear()
    await teams.post(teams.submit(submit_data(settings_card), reply_to=settings_id))
    form_card = bf.cards()[-1]
    assert [i["id"] for i in form_card["body"] if i["type"].startswith("Input.")] == [
        "timezone",
        "workday_start",
        "workday_end",
    ]
    form_message_id = bf.calls[-1].sent_id
    assert form_message_id is not None
    bf.calls.clear()
    bad = {**submit_data(form_card), "timezone": "Mars/Olympus", "workday_start": "9", "workday_end": "9"}
    await teams.post(teams.submit(bad, reply_to=form_message_id))
    (update,) = bf.calls
    assert update.method == "PUT" and update.activity_id == form_message_id
    texts = "\n".join(bf.texts())
    assert "Use a time zone name such as Europe/Berlin." in texts
    assert "Start and end are the same hour; for round the clock use 0 and 24." in texts
    errors = [b for b in bf.cards()[0]["body"] if b.get("color") == "Attention"]
    assert len(errors) >= 2
    timezone_input = next(b for b in bf.cards()[0]["body"] if b.get("id") == "timezone")
    assert timezone_input["value"] == "Mars/Olympus"  # what the person typed is kept
    bf.calls.clear()
    good = {**submit_data(form_card), "timezone": "Europe/Berlin", "workday_start": 8, "workday_end": 16}
    await teams.post(teams.submit(good, reply_to=form_message_id))
    assert "Saved: **Europe/Berlin**, 08:00–16:00." in "\n".join(bf.texts()).replace("\\", "")
    assert any(c.method == "PUT" and c.activity_id == form_message_id for c in bf.calls)  # form closed
    assert_valid_cards(bf)


async def test_admins_add_sends_a_proactive_message_via_the_outbox(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    await teams.post(teams.personal("hello", user="bob", name="Bob Babbage"))
    await teams.post(teams.personal("hello"))
    bf.calls.clear()
    await teams.post(teams.personal("admins add teams:aad-bob"))
    assert "is now an admin" in "\n".join(bf.texts())
    bf.calls.clear()
    assert await teams_runtime.dispatcher.drain() == 1
    (call,) = bf.calls
    assert call.method == "POST" and call.conversation_id == "a:personal-bob"
    assert "made you an **admin**" in "\n".join(bf.texts())
    assert call.body["conversation"]["id"] == "a:personal-bob"
    assert_valid_cards(bf)


async def test_person_who_never_installed_is_marked_unreachable(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    await teams.post(teams.personal("admins add carol@example.com"))
    await teams_runtime.dispatcher.drain()
    rows = teams_runtime.store.run_sync(lambda s: s.exec(select(OutboxMessage)).all())
    assert [r.state for r in rows] == [OutboxState.unreachable]


async def test_uninstalled_user_403_marks_the_row_unreachable(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    await teams.post(teams.personal("hello", user="bob", name="Bob Babbage"))
    bf.gone.add("a:personal-bob")
    await teams.post(teams.personal("admins add teams:aad-bob"))
    await teams_runtime.dispatcher.drain()
    rows = teams_runtime.store.run_sync(lambda s: s.exec(select(OutboxMessage)).all())
    assert [r.state for r in rows] == [OutboxState.unreachable]
    assert "403" in (rows[0].last_error or "")


async def test_flag_message_action_answers_200_with_a_task_body(teams: Teams, bf: FakeBotFramework) -> None:
    value = {
        "commandId": "flagOutput",
        "commandContext": "message",
        "messagePayload": {
            "id": "1700000000000",
            "linkToMessage": "https://teams.example/l/message/19:abc/1700000000000",
            "body": {"contentType": "html", "content": "<p>The AI said <b>42</b></p>"},
            "from": {"user": {"displayName": "Copilot"}},
        },
    }
    response = await teams.post(teams.invoke("composeExtension/fetchTask", value))
    assert response.status == 200
    body = await response.json()
    assert isinstance(body, dict)  # botbuilder's own `process` would serialise it twice and answer 500
    assert body["task"]["type"] in ("message", "continue")
    if body["task"]["type"] == "message":
        assert "shortcut" in body["task"]["value"]


async def test_unknown_invoke_is_answered_not_crashed(teams: Teams) -> None:
    response = await teams.post(teams.invoke("composeExtension/fetchTask", {"commandId": "somethingElse"}))
    assert response.status == 200
    assert await response.json() == {}


async def test_install_stores_the_address_and_welcomes(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    install = teams.personal(user="bob", name="Bob Babbage", type="installationUpdate", action="add")
    install.pop("text")
    assert (await teams.post(install)).status == 201
    assert "Welcome, Bob" in "\n".join(bf.texts())
    await teams.post(teams.personal("admins add teams:aad-bob"))
    bf.calls.clear()
    assert await teams_runtime.dispatcher.drain() == 1
    assert [c.conversation_id for c in bf.calls] == ["a:personal-bob"]


async def test_channel_mention_is_answered_in_its_thread(teams: Teams, bf: FakeBotFramework) -> None:
    activity = teams.personal("<at>Coach</at> help", id="1700")
    activity["conversation"] = {
        "id": "19:general@thread.skype;messageid=1700",
        "conversationType": "channel",
        "isGroup": True,
        "tenantId": "tenant-1",
    }
    activity["entities"] = [
        {"type": "mention", "mentioned": {"id": BOT["id"], "name": "Coach"}, "text": "<at>Coach</at>"}
    ]
    assert (await teams.post(activity)).status == 201
    assert bf.calls and {c.conversation_id for c in bf.calls} == {"19:general@thread.skype;messageid=1700"}
    assert "Here is what I can do for you" in "\n".join(bf.texts())


async def test_a_redelivered_activity_is_handled_once(teams: Teams, bf: FakeBotFramework) -> None:
    activity = teams.personal("help")
    await teams.post(activity)
    first = len(bf.calls)
    assert (await teams.post(activity)).status == 201
    assert len(bf.calls) == first


async def test_two_conversations_sending_the_same_activity_id_are_both_answered(
    teams: Teams, bf: FakeBotFramework
) -> None:
    # Teams makes message ids unique within a conversation only (epoch-millisecond-like).
    await teams.post(teams.personal("help", id="1741702606984"))
    bf.calls.clear()
    await teams.post(teams.personal("help", user="uma", name="Uma", id="1741702606984"))
    assert {c.conversation_id for c in bf.calls} == {"a:personal-uma"}
    assert "Here is what I can do for you" in "\n".join(bf.texts())


async def test_action_execute_answers_with_the_form_card_in_the_invoke_body(
    teams: Teams, bf: FakeBotFramework
) -> None:
    await teams.post(teams.personal("hi"))
    value = {
        "action": {"type": "Action.Execute", "verb": "form.open", "data": {"coach_value": "people.settings|"}}
    }
    response = await teams.post(teams.invoke("adaptiveCard/action", value))
    assert response.status == 200
    body = await response.json()
    assert isinstance(body, dict)  # botbuilder's own `process` would serialise it twice and answer 500
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    Draft6Validator(adaptive_card_schema()).validate(body["value"])
    assert any(b.get("id") == "timezone" for b in body["value"]["body"])

    bad = {
        "coach_form": "people.settings",
        "coach_context": "",
        "timezone": "Nowhere",
        "workday_start": "1",
        "workday_end": "2",
    }
    response = await teams.post(
        teams.invoke("adaptiveCard/action", {"action": {"type": "Action.Execute", "data": bad}})
    )
    body = await response.json()
    assert any(b.get("color") == "Attention" for b in body["value"]["body"])


async def test_without_an_app_id_tokens_are_not_required(
    database_url: str, store: Store, clock: FixedClock, bf: FakeBotFramework
) -> None:
    settings = load_settings(
        COACH_DATABASE_URL=database_url, COACH_CONTENT_DIR=str(PROJECT / "content"), _env_file=None
    )
    runtime = build_runtime(settings, clock=clock, store=store)
    app = build_app(runtime)
    mount(app, runtime)  # explicit, for local trials
    async with TestClient(TestServer(app)) as client:
        teams = Teams(client, bf)
        assert (await teams.post(teams.personal("help"), token=None)).status == 201
    assert "Here is what I can do for you" in "\n".join(bf.texts())


async def test_outcomes_for_an_admin(teams: Teams, bf: FakeBotFramework) -> None:
    await teams.post(teams.personal("outcomes"))
    texts = "\n".join(bf.texts())
    assert "Outcomes: the last 4 weeks" in texts and "**Compass** (assistant)" in texts
    assert all(call.conversation_id == "a:personal-ada" for call in bf.calls)
    assert_valid_cards(bf)
    bf.calls.clear()
    await teams.post(teams.personal("outcomes", user="bob", name="Bob Babbage"))
    assert "Only system owners and admins" in "\n".join(bf.texts())
