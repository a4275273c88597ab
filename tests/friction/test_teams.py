"""The friction loop over real Teams activities: report → the owner's DM card → Fixed → the
reporter is told and answers "Is it better now?"."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from adapters.runtime import Runtime
from bot.friction.models import FrictionReport, Status
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import Teams, bf, client, teams, teams_runtime, teams_settings  # noqa: F401
from tests.teams.test_http import assert_valid_cards


def action_data(card: dict[str, Any], title: str) -> dict[str, Any]:
    for action in card.get("actions", []):
        if action.get("title") == title:
            data: dict[str, Any] = action["data"]
            return data
    for block in card.get("body", []):
        for action in block.get("actions", []):
            if action.get("title") == title:
                data = action["data"]
                return data
    raise AssertionError(f"no action {title!r} in {card}")


async def test_report_owner_fixes_reporter_answers_over_teams(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    await teams.post(teams.personal("hi"))  # ada, an admin
    await teams.post(teams.personal("hi", user="dev", name="Dev Raman"))
    await teams.post(teams.personal("hi", user="bob", name="Bob Babbage"))
    await teams.post(teams.personal("owners set programme_owner assistant teams:aad-dev"))
    await teams_runtime.dispatcher.drain()
    bf.calls.clear()

    await teams.post(teams.personal("friction", user="bob", name="Bob Babbage"))
    form = bf.cards()[-1]
    assert [i["id"] for i in form["body"] if i["type"].startswith("Input.")][:3] == [
        "trying_to",
        "category",
        "severity",
    ]
    submit = {
        **action_data(form, "Send report"),
        "trying_to": "Summarise a <b>long</b> thread",
        "category": "speed",
        "severity": "blocks",
        "details": "It times out",
        "system": "assistant",
        "anonymous": "no",
    }
    form_id = bf.sent_id(form)
    bf.calls.clear()
    await teams.post(teams.submit(submit, reply_to=form_id, user="bob"))
    assert any("FR-1" in t for t in bf.texts())

    bf.calls.clear()
    await teams_runtime.dispatcher.drain()
    (card_call,) = [c for c in bf.calls if c.conversation_id == "a:personal-dev"]
    card = card_call.body["attachments"][0]["content"]
    from adapters.teams.render import escape_text

    assert escape_text("Summarise a <b>long</b> thread") in bf.texts()  # the reporter's words, inert
    assert_valid_cards(bf)

    card_id = card_call.sent_id
    bf.calls.clear()
    await teams.post(teams.submit(action_data(card, "Fixed"), reply_to=card_id, user="dev"))
    assert any(c.method == "PUT" and c.activity_id == card_id for c in bf.calls)  # the card now says fixed

    bf.calls.clear()
    await teams_runtime.dispatcher.drain()
    (told,) = [c for c in bf.calls if c.conversation_id == "a:personal-bob"]
    update = told.body["attachments"][0]["content"]
    assert any("has been fixed" in t for t in bf.texts()) and any(
        "Is it better now?" in t for t in bf.texts()
    )
    assert_valid_cards(bf)

    bf.calls.clear()
    assert told.sent_id is not None
    await teams.post(teams.submit(action_data(update, "Yes, it's better"), reply_to=told.sent_id, user="bob"))
    assert any("Glad to hear it" in t for t in bf.texts())
    (report,) = teams_runtime.store.run_sync(lambda s: list(s.exec(select(FrictionReport)).all()))
    assert report.status == Status.closed and report.better is True


async def test_a_non_owner_click_over_teams_is_refused(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    await teams.post(teams.personal("hi", user="bob", name="Bob Babbage"))
    await teams.post(teams.personal("friction", user="bob", name="Bob Babbage"))
    form = bf.cards()[-1]
    submit = {
        **action_data(form, "Send report"),
        "trying_to": "Log in",
        "category": "access",
        "severity": "slows",
        "system": "assistant",
    }
    await teams.post(teams.submit(submit, reply_to=bf.sent_id(form), user="bob"))
    (filed_id,) = [c.sent_id for c in bf.calls if c.sent_id and "FR-1" in str(c.body)]  # Bob's receipt
    assert filed_id is not None
    bf.calls.clear()
    forged = {"coach_action": "friction.fixed", "coach_value": "1"}  # an owner's button, sent by Bob
    await teams.post(teams.submit(forged, reply_to=filed_id, user="bob"))
    assert any("Only the programme owner of Compass" in t for t in bf.texts())
    (report,) = teams_runtime.store.run_sync(lambda s: list(s.exec(select(FrictionReport)).all()))
    assert report.status == Status.new
