"""The decision log over real Teams activities: the review form as an Adaptive Card, the decider's
Decide button opening the decision form, the communicator's prompt; every card valid."""

from __future__ import annotations

from adapters.runtime import Runtime
from tests.fakes.teams_connector import FakeBotFramework
from tests.friction.test_teams import action_data
from tests.teams.conftest import Teams, bf, client, teams, teams_runtime, teams_settings  # noqa: F401
from tests.teams.test_http import assert_valid_cards


async def test_review_then_decision_over_teams(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    for user, name in (
        ("ada", "Ada Lovelace"),
        ("ivan", "Ivan Petrov"),
        ("priya", "Priya N"),
        ("dev", "Dev Raman"),
    ):
        await teams.post(teams.personal("hi", user=user, name=name))
    for role, user in (
        ("drift_monitor", "ivan"),
        ("retraining_decider", "priya"),
        ("change_communicator", "dev"),
    ):
        await teams.post(teams.personal(f"owners set {role} assistant teams:aad-{user}"))
    await teams_runtime.dispatcher.drain()
    bf.calls.clear()

    await teams.post(teams.personal("review drift assistant", user="ivan", name="Ivan Petrov"))
    form = bf.cards()[-1]
    assert "no flags" in str(form)
    submit = {
        **action_data(form, "Record review"),
        "looked_at": "Sampled <b>answers</b>",
        "verdict": "degraded",
        "evidence": "https://dash.example.com/drift",
    }
    await teams.post(teams.submit(submit, reply_to=bf.sent_id(form), user="ivan"))
    assert any("DR-1 recorded" in t for t in bf.texts())

    bf.calls.clear()
    await teams_runtime.dispatcher.drain()
    (ask,) = [c for c in bf.calls if c.conversation_id == "a:personal-priya"]
    card = ask.body["attachments"][0]["content"]
    assert ask.sent_id is not None
    await teams.post(teams.submit(action_data(card, "Decide"), reply_to=ask.sent_id, user="priya"))
    form = bf.cards()[-1]
    submit = {
        **action_data(form, "Record decision"),
        "kind": "roll_back",
        "rationale": "Back to the November model",
        "review": "1",
        "model_version": "compass-2026-10",
    }
    await teams.post(teams.submit(submit, reply_to=bf.sent_id(form), user="priya"))
    assert any("DEC-1 recorded" in t for t in bf.texts())

    bf.calls.clear()
    await teams_runtime.dispatcher.drain()
    (prompt,) = [c for c in bf.calls if c.conversation_id == "a:personal-dev"]
    assert "compass-2026-10" in str(prompt.body)
    assert_valid_cards(bf)
