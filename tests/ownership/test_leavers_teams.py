"""Removed from a Teams team (a conversationUpdate with membersRemoved, in Teams' payload shape) is a
sign, not proof: the admins get a review card, and "They left" hands the roles to the backups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.runtime import Runtime
from bot.ownership import service
from tests.drills.test_teams import link
from tests.fakes.teams_connector import FakeBotFramework
from tests.friction.test_teams import action_data
from tests.teams.conftest import BOT, TENANT, Teams, bf, client, fixture, teams, teams_runtime, teams_settings  # noqa: F401
from tests.teams.test_http import assert_valid_cards


def removed(teams: Teams, user: str) -> dict[str, Any]:  # noqa: F811
    activity = fixture("conversation_update_members_removed.json")
    activity["membersRemoved"][0].update(id=f"29:{user}", name="Omar K", aadObjectId=f"aad-{user}")
    activity.update(
        id="act-removed-1",
        serviceUrl=teams.service_url,
        recipient=BOT,
        conversation={
            "id": "19:general@thread.tacv2",
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
        },
        **{"from": {"id": "29:ada", "name": "Ada Lovelace", "aadObjectId": "aad-ada"}},
    )
    activity["channelData"]["tenant"] = {"id": TENANT}
    return activity


async def test_removed_from_a_team_opens_a_review(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    for user, name in (("ada", "Ada Lovelace"), ("omar", "Omar K"), ("bea", "Bea Jones")):
        await teams.post(teams.personal("hi", user=user, name=name))
    link(teams_runtime, "omar", "omar@example.com")
    link(teams_runtime, "bea", "bea@example.com")
    await teams_runtime.dispatcher.drain()
    bf.calls.clear()

    response = await teams.post(removed(teams, "omar"))
    assert response.status in (200, 201)
    teams_runtime.clock.at += timedelta(hours=5)  # type: ignore[attr-defined]  # past Ada's minimum gap
    await teams_runtime.dispatcher.drain()
    (review,) = [
        c for c in bf.calls if c.conversation_id == "a:personal-ada" and "left?" in str(c.body)
    ]
    holder = teams_runtime.store.run_sync(
        lambda s: service.holder(session=s, system="assistant", role="escalation_owner")
    )
    assert holder is not None and holder.email == "omar@example.com"  # nothing moves on a sign alone

    card = review.body["attachments"][0]["content"]
    assert review.sent_id is not None
    await teams.post(teams.submit(action_data(card, "They left"), reply_to=review.sent_id))
    holder = teams_runtime.store.run_sync(
        lambda s: service.holder(session=s, system="assistant", role="escalation_owner")
    )
    assert holder is not None and holder.email == "bea@example.com"
    assert_valid_cards(bf)
