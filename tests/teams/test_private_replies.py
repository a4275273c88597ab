"""Teams has no ephemeral messages: an admin's report asked for in a channel goes to their 1:1 chat
with the coach, and the channel is told so (or told to open one first)."""

from __future__ import annotations

from typing import Any

from adapters.runtime import Runtime
from bot.private_replies import NO_DIRECT_CHAT, SENT
from tests.announcements.private_helpers import SECRET_EMAIL, announce_to_a_stranger
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import BOT, TENANT, Teams

CHANNEL = "19:general@thread.skype"


def in_channel(teams: Teams, text: str) -> dict[str, Any]:
    activity = teams.personal(f"<at>Coach</at> {text}")
    activity["conversation"] = {
        "id": f"{CHANNEL};messageid={activity['id']}",
        "conversationType": "channel",
        "isGroup": True,
        "tenantId": TENANT,
    }
    activity["entities"] = [
        {"type": "mention", "mentioned": {"id": BOT["id"], "name": "Coach"}, "text": "<at>Coach</at>"}
    ]
    return activity


def texts_in(bf: FakeBotFramework, conversation: str) -> list[str]:
    return [str(c.body) for c in bf.calls if c.conversation_id.startswith(conversation)]


async def test_reports_asked_for_in_a_channel_go_to_the_personal_chat(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    await announce_to_a_stranger(teams_runtime)
    await teams_runtime.run_due_work()

    assert (await teams.post(in_channel(teams, "announcement 1 csv"))).status == 201
    assert any(NO_DIRECT_CHAT in t for t in texts_in(bf, CHANNEL))  # Ada never opened a chat with the coach
    assert not any(SECRET_EMAIL in t for t in texts_in(bf, ""))

    await teams.post(teams.personal("hi"))  # now she has one
    bf.calls.clear()
    for command in ("announcement 1 csv", "outbox"):
        assert (await teams.post(in_channel(teams, command))).status == 201
    in_the_channel = texts_in(bf, CHANNEL)
    assert len(in_the_channel) == 2 and all(SENT in t and SECRET_EMAIL not in t for t in in_the_channel)
    await teams_runtime.dispatcher.drain()
    personal = texts_in(bf, "a:personal-ada")  # the outbox sends both at once, in either order
    (csv,) = [t for t in personal if "announcement-1.csv" in t]
    (outbox,) = [t for t in personal if "retry ID" in t]
    assert SECRET_EMAIL in csv and SECRET_EMAIL in outbox
