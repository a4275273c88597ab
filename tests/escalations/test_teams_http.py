"""The escalation loop through the Teams HTTP path: real activities POSTed to /api/messages, a fake
Bot Framework connector: flag → card in the Teams channel → the owner replies in its thread → the
person gets the answer in their personal chat → rates it."""

from __future__ import annotations

from typing import Any

from adapters.runtime import Runtime
from bot.escalations.models import Escalation
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import (  # noqa: F401  (the Teams adapter's fixtures, used by name)
    BOT,
    Teams,
    bf,
    client,
    teams,
    teams_runtime,
    teams_settings,
)

CHANNEL = "19:compass-escalations@thread.tacv2"
NASTY = "Renews in March <!channel> @here <@U123> **bold**"


def _in_channel(http: Teams, text: str, *, user: str, name: str, thread: str | None = None) -> dict[str, Any]:
    activity = http.personal(text, user=user, name=name)
    activity["conversation"] = {
        "id": f"{CHANNEL};messageid={thread}" if thread else CHANNEL,
        "conversationType": "channel",
        "isGroup": True,
        "tenantId": "tenant-1",
    }
    if not thread:
        activity["text"] = f"<at>Coach</at> {text}"
        activity["entities"] = [
            {"type": "mention", "mentioned": {"id": BOT["id"], "name": "Coach"}, "text": "<at>Coach</at>"}
        ]
    return activity


def _calls_to(fake: FakeBotFramework, conversation: str) -> list[dict[str, Any]]:
    return [c.body for c in fake.calls if c.conversation_id.split(";messageid=")[0] == conversation]


async def test_flag_card_thread_reply_answer_and_rating_over_teams(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    await teams.post(teams.personal("hi", user="omar", name="Omar Haddad"))
    await teams.post(teams.personal("hi", user="uma", name="Uma Okafor"))
    # The bot learns the escalation channel's address when it is first mentioned there.
    await teams.post(_in_channel(teams, "help", user="omar", name="Omar Haddad"))
    await teams.post(teams.personal("owners set escalation_owner assistant teams:aad-omar"))  # ada is admin

    response = await teams.post(teams.personal(f"flag {NASTY}", user="uma", name="Uma Okafor"))
    assert response.status == 201
    data = {
        "coach_form": "escalation.flag",
        "coach_context": "",
        "output": NASTY,
        "reason": "wrong",
        "expected": "",
        "system": "assistant",
        "trace_id": "",
        "anonymous": "no",
    }
    flag_form = bf.cards()[-1]
    form_id = bf.sent_id(flag_form)
    bf.calls.clear()
    assert (await teams.post(teams.submit(data, reply_to=form_id, user="uma"))).status == 201
    assert "ESC-1" in "\n".join(bf.texts())

    bf.calls.clear()
    await teams_runtime.dispatcher.drain()
    (card,) = _calls_to(bf, CHANNEL)
    card_text = str(card)
    assert NASTY in card_text  # the Quote block, rendered as plain text by the Teams renderer
    row = teams_runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    assert row is not None and row.card_platform == "teams" and row.card_thread_id

    reply = _in_channel(
        teams,
        "It renews in April; see clause 4.2.",
        user="omar",
        name="Omar Haddad",
        thread=row.card_thread_id,
    )
    bf.calls.clear()
    assert (await teams.post(reply)).status == 201
    await teams_runtime.dispatcher.drain()
    to_uma = _calls_to(bf, "a:personal-uma")
    assert to_uma and "It renews in April; see clause 4.2." in str(to_uma)

    (answer_id,) = [c.sent_id for c in bf.calls if c.conversation_id == "a:personal-uma" and c.sent_id]
    assert answer_id is not None
    rate = {"coach_action": "escalation.rate", "coach_value": "1:yes"}
    bf.calls.clear()
    for _ in range(2):  # a double click: the answer's card shows the rating once; nothing is posted
        assert (await teams.post(teams.submit(rate, reply_to=answer_id, user="uma"))).status == 201
    first, again = bf.calls
    assert (first.method, first.activity_id) == ("PUT", answer_id)
    assert again.body["attachments"] == first.body["attachments"]
    assert "glad it helped" in "\n".join(bf.texts())
    row = teams_runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    assert row is not None and row.helpful is True and row.answer == "It renews in April; see clause 4.2."
