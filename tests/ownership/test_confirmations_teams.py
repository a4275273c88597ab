"""A hand-over over real Teams activities: the card, the Hand over form, the successor's Accept."""

from __future__ import annotations

from adapters.runtime import Runtime
from bot.ownership import service
from tests.drills.test_teams import link
from tests.fakes.teams_connector import FakeBotFramework
from tests.friction.test_teams import action_data
from tests.teams.conftest import Teams, bf, client, teams, teams_runtime, teams_settings  # noqa: F401
from tests.teams.test_http import assert_valid_cards


async def test_hand_over_over_teams(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    for user, name in (("omar", "Omar K"), ("sam", "Sam T")):
        await teams.post(teams.personal("hi", user=user, name=name))
    link(teams_runtime, "omar", "omar@example.com")
    link(teams_runtime, "sam", "sam@example.com")
    bf.calls.clear()

    await teams.post(teams.personal("owners confirm assistant", user="omar", name="Omar K"))
    card = bf.cards()[-1]
    await teams.post(teams.submit(action_data(card, "Hand over"), reply_to=bf.sent_id(card), user="omar"))
    form = bf.cards()[-1]
    submit = {**action_data(form, "Ask them"), "successor": "sam@example.com"}
    await teams.post(teams.submit(submit, reply_to=bf.sent_id(form), user="omar"))
    assert any("You stay on the list until they accept" in t for t in bf.texts())

    bf.calls.clear()
    await teams_runtime.dispatcher.drain()
    (ask,) = [c for c in bf.calls if c.conversation_id == "a:personal-sam"]
    assert ask.sent_id is not None
    await teams.post(
        teams.submit(
            action_data(ask.body["attachments"][0]["content"], "Accept"), reply_to=ask.sent_id, user="sam"
        )
    )
    holder = teams_runtime.store.run_sync(
        lambda s: service.holder(session=s, system="assistant", role="escalation_owner")
    )
    assert holder is not None and holder.email == "sam@example.com"
    assert_valid_cards(bf)
