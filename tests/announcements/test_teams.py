"""Announce → recipient acknowledges, through real Teams activities POSTed to /api/messages."""

from __future__ import annotations

import asyncio
import time
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
    offer = bf.cards()[-1]
    compose = action(offer, "Compose")
    await teams.post(teams.submit(compose, reply_to=bf.sent_id(offer)))
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
    form_id = bf.sent_id(form_card)
    bf.calls.clear()
    await teams.post(teams.submit(values, reply_to=form_id))
    (preview,) = [c for c in bf.cards() if "Confirm and send" in str(c)]  # beside the closed form
    assert "Hi Ada, answers now cite sources." in "\n".join(bf.texts())
    preview_id = bf.sent_id(preview)
    bf.calls.clear()
    await teams.post(teams.submit(action(preview, "Confirm and send"), reply_to=preview_id))
    (confirmed,) = [c for c in bf.calls if c.method == "PUT" and c.activity_id == preview_id]
    assert "Confirmed. Announcement 1 goes to" in str(confirmed.body)  # the preview became the outcome
    # "Send now" wakes the ticker, so the fan-out may be under way already (holding its job while our own
    # tick finds nothing): keep the calls, and drain until Bob's copy arrives, as the dispatcher would.
    to_bob = await sent_to_bob(bf, teams_runtime)
    assert len(to_bob) == 1 and "Hi Bob, answers now cite sources." in str(to_bob[0].body)
    bob_card = to_bob[0].body["attachments"][0]["content"]
    assert_valid_cards(bf)

    bob_id = to_bob[0].sent_id
    assert bob_id is not None
    bf.calls.clear()
    for _ in range(2):  # a double click: the card shows the thanks once; nothing is posted
        await teams.post(teams.submit(action(bob_card, "Got it"), reply_to=bob_id, user="bob"))
    first, again = [c for c in bf.calls if c.method == "PUT" and c.activity_id == bob_id]
    assert "Thanks, Bob: noted that you" in str(first.body), first.body
    assert again.body["attachments"] == first.body["attachments"]
    assert "Got it" not in str(first.body) and "I have a question" in str(first.body)
    assert [c for c in bf.calls if c.method == "POST" and c.conversation_id == "a:personal-bob"] == []
    acks = teams_runtime.store.run_sync(
        lambda s: [r for r in s.exec(select(AnnouncementRecipient)).all() if r.acknowledged_at is not None]
    )
    assert len(acks) == 1


async def sent_to_bob(bf: FakeBotFramework, runtime: Runtime, within: float = 10.0) -> list[Any]:
    """The announcement's copies to Bob, once one has arrived (or none after `within` seconds), running due
    work and draining the outbox meanwhile (the tests' dispatcher has no loop of its own)."""
    deadline = time.monotonic() + within
    while True:
        await runtime.run_due_work()
        found = [
            c for c in bf.calls if c.conversation_id == "a:personal-bob" and "cite sources" in str(c.body)
        ]
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.01)
