"""Announce → recipient acknowledges, through real Teams activities POSTed to /api/messages."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from adapters.runtime import Runtime
from bot.announcements.models import AnnouncementRecipient
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import Teams
from tests.teams.test_http import assert_valid_cards


def action(card: dict[str, Any], title: str) -> dict[str, Any]:
    found = [a for a in card.get("actions", []) if a["type"] == "Action.Submit" and a["title"] == title]
    if not found:  # buttons may sit in an ActionSet in the body
        found = [
            a
            for block in card.get("body", [])
            if block.get("type") == "ActionSet"
            for a in block["actions"]
            if a["type"] == "Action.Submit" and a["title"] == title
        ]
    assert found, f"no {title!r} in {card}"
    data: dict[str, Any] = found[0]["data"]
    return data


async def test_announce_on_teams_and_the_recipient_acknowledges(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    await teams.post(teams.personal("hi", user="bob", name="Bob Babbage"))
    await teams.post(teams.personal("hi"))
    bf.calls.clear()
    await teams.post(teams.personal("announce"))
    compose = action(bf.cards()[-1], "Compose")
    await teams.post(teams.submit(compose, reply_to="reply-1"))
    form_card = bf.cards()[-1]
    values = {
        **action(form_card, "Preview"),
        "title": "Compass 2026-12 is live",
        "body": "Hi {{ person.first_name }}, answers now cite sources.",
        "system": "assistant",
        "audience_kind": "everyone",
        "audience_param": "",
        "when": "now",
        "ack_required": "yes",
        "critical": "yes",
    }
    bf.calls.clear()
    await teams.post(teams.submit(values, reply_to="form-1"))
    (preview,) = [c for c in bf.cards() if "Confirm and send" in str(c)]  # beside the closed form
    assert "Hi Ada, answers now cite sources." in "\n".join(bf.texts())
    bf.calls.clear()
    await teams.post(teams.submit(action(preview, "Confirm and send"), reply_to="preview-1"))
    bf.calls.clear()
    await teams_runtime.run_due_work()
    await teams_runtime.run_due_work()
    to_bob = [c for c in bf.calls if c.conversation_id == "a:personal-bob" and "cite sources" in str(c.body)]
    assert len(to_bob) == 1 and "Hi Bob, answers now cite sources." in str(to_bob[0].body)
    bob_card = to_bob[0].body["attachments"][0]["content"]
    assert_valid_cards(bf)

    await teams.post(teams.submit(action(bob_card, "Got it"), reply_to="bob-1", user="bob"))
    acks = teams_runtime.store.run_sync(
        lambda s: [r for r in s.exec(select(AnnouncementRecipient)).all() if r.acknowledged_at is not None]
    )
    assert len(acks) == 1
