"""A programme through real Teams activities: install → enrolled → steps sent proactively (the outbox's
continue_conversation to the fake connector) → Done, a form answer and a scale answer, recorded, each
shown by updating its card in place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from jsonschema import Draft6Validator
from sqlmodel import select

from adapters.runtime import Runtime
from bot.ports import FixedClock
from bot.programmes.models import PulseAnswer, StepProgress
from tests.fakes.teams_connector import Call, FakeBotFramework
from tests.programmes.harness import run_until
from tests.teams.conftest import Teams, adaptive_card_schema
from tests.teams.test_http import assert_valid_cards

BOB = "a:personal-bob"
Card = dict[str, Any]


def card_of(call: Call) -> Card:
    (attachment,) = call.body["attachments"]
    content: Card = attachment["content"]
    return content


def submits(card: Card) -> list[dict[str, Any]]:
    return [a for a in card.get("actions", []) if a["type"] == "Action.Submit"]


def submit(card: Card, title: str) -> dict[str, Any]:
    found = [a["data"] for a in submits(card) if a["title"] == title]
    assert found, f"no {title!r} in {[a['title'] for a in submits(card)]}"
    data: dict[str, Any] = found[0]
    return data


def step_of(card: Card) -> str | None:
    """The programme step a card is for: every step's buttons carry "enrolment:step:sending" in their value."""
    for action in submits(card):
        data = action["data"]
        if str(data.get("coach_action", "")).startswith("prog.") or data.get("coach_action") == "form.open":
            value = str(data.get("coach_value", ""))
            parts = value.split(":")
            if len(parts) >= 2 and parts[0].isdigit():
                return parts[1]
    return None


def posted(bf: FakeBotFramework, since: int = 0) -> list[tuple[str, Call]]:
    """(activity id the connector gave, call) for each activity the bot POSTed, from the `since`-th on."""
    return [(c.sent_id or "", c) for c in bf.calls if c.method == "POST"][since:]


def steps_sent(bf: FakeBotFramework) -> list[tuple[str, str, Card]]:
    out = []
    for activity_id, call in posted(bf):
        if call.conversation_id == BOB:
            step = step_of(card_of(call))
            if step is not None:
                out.append((step, activity_id, card_of(call)))
    return out


async def until_step(
    runtime: Runtime, clock: FixedClock, bf: FakeBotFramework, step: str, *, within_days: int = 21
) -> tuple[str, Card]:
    for _ in range(within_days):
        found = [(i, card) for s, i, card in steps_sent(bf) if s == step]
        if found:
            return found[0]
        await run_until(runtime, clock, clock.now() + timedelta(days=1))
        a_day_passed(bf)
    raise AssertionError(f"{step} never came; sent: {[s for s, _i, _c in steps_sent(bf)]}")


def a_day_passed(bf: FakeBotFramework) -> None:
    """The fake connector counts Teams' per-conversation limits in real seconds, while the test jumps
    a simulated day in milliseconds: forget the sends of the "day" that has passed, as Teams would."""
    bf._sent.clear()


def updates_of(bf: FakeBotFramework, activity_id: str) -> list[Card]:
    """The cards the bot PUT in place of one activity it sent, in order."""
    return [card_of(c) for c in bf.calls if c.method == "PUT" and c.activity_id == activity_id]


def _texts(card: Card) -> list[str]:
    return [b["text"] for b in card.get("body", []) if b.get("type") == "TextBlock"]


async def test_programme_over_teams_install_steps_done_and_answers(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime, clock: FixedClock
) -> None:
    install = teams.personal(user="bob", name="Bob Babbage", type="installationUpdate", action="add")
    install.pop("text")
    assert (await teams.post(install)).status == 201
    assert "Welcome, Bob" in "\n".join(bf.texts())
    assert steps_sent(bf) == []  # the programme's steps come through the outbox, not in the turn

    await teams_runtime.run_due_work()  # 09:00 UTC on a Monday: inside Bob's (default, UTC) working day
    ((step, welcome_id, welcome),) = steps_sent(bf)
    assert step == "welcome"
    (call,) = [c for i, c in posted(bf) if i == welcome_id]
    assert call.body["conversation"]["id"] == BOB  # continue_conversation on the stored reference
    assert call.activity_id != install["id"]  # not an answer to the install: a proactive message
    assert "Hi Bob" in "\n".join(_texts(welcome))
    done = submit(welcome, "Got it")
    enrolment = done["coach_value"].split(":")[0]
    assert done == {"coach_action": "prog.done", "coach_value": f"{enrolment}:welcome:1"}
    assert [a["type"] for a in welcome["actions"]] == [
        "Action.Submit", "Action.OpenUrl", "Action.Submit", "Action.Submit",
    ]  # fmt: skip
    assert_valid_cards(bf)

    # Got it: the card is updated in place (no new message); a second click puts it right again.
    count = len(posted(bf))
    response = await teams.post(teams.submit(done, reply_to=welcome_id, user="bob"))
    assert response.status == 201
    (updated,) = updates_of(bf, welcome_id)
    assert "nice one, marked as done" in "\n".join(_texts(updated)) and "Hi Bob" in "\n".join(_texts(updated))
    assert [a["title"] for a in updated["actions"]] == ["Open Compass", "Snooze", "Stop these messages"]
    await teams.post(teams.submit(done, reply_to=welcome_id, user="bob"))
    first, again = updates_of(bf, welcome_id)
    assert again == first  # "Already recorded" is what the card shows: nothing is posted
    assert len(posted(bf)) == count

    def progress(session: Any) -> dict[str, bool]:
        return {p.step_key: p.done_at is not None for p in session.exec(select(StepProgress)).all()}

    assert teams_runtime.store.run_sync(progress)["welcome"] is True

    # A number question: Answer opens a form card; its submission is recorded and shows on the question.
    minutes_id, minutes = await until_step(teams_runtime, clock, bf, "minutes-saved")
    count = len(posted(bf))
    await teams.post(teams.submit(submit(minutes, "Answer"), reply_to=minutes_id, user="bob"))
    (form_id, form_call), *_ = posted(bf, count)
    form = card_of(form_call)
    assert [i["id"] for i in form["body"] if i["type"].startswith("Input.")] == ["answer"]
    await teams.post(teams.submit({**submit(form, "Send"), "answer": 45}, reply_to=form_id, user="bob"))
    await teams_runtime.run_due_work()  # the question's card is updated through the outbox
    (answered,) = updates_of(bf, minutes_id)
    assert "Thanks, noted: **45**" in "\n".join(_texts(answered)).replace("\\", "")
    assert "Answer" not in [a["title"] for a in answered.get("actions", [])]

    # A scale question: one Action.Submit per answer.
    useful_id, useful = await until_step(teams_runtime, clock, bf, "usefulness")
    scale = [a["data"] for a in submits(useful) if a["data"]["coach_action"] == "prog.answer"]
    assert [d["coach_value"] for d in scale] == [f"{enrolment}:usefulness:1:{n}" for n in range(1, 6)]
    count = len(posted(bf))
    await teams.post(teams.submit(submit(useful, "5"), reply_to=useful_id, user="bob"))
    await teams.post(teams.submit(submit(useful, "2"), reply_to=useful_id, user="bob"))  # a stale copy
    shown, again = updates_of(bf, useful_id)
    assert "Thanks, noted: **5**" in "\n".join(_texts(shown)).replace("\\", "") and again == shown
    assert len(posted(bf)) == count
    assert_valid_cards(bf)

    def answers(session: Any) -> set[tuple[str, float | None]]:
        return {(a.question_key, a.number) for a in session.exec(select(PulseAnswer)).all()}

    assert teams_runtime.store.run_sync(answers) == {("minutes_saved", 45.0), ("usefulness", 5.0)}


async def test_a_first_personal_message_enrols_and_stop_holds_the_steps(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime, clock: FixedClock
) -> None:
    await teams.post(teams.personal("hello", user="bob", name="Bob Babbage"))
    await teams_runtime.run_due_work()
    assert [s for s, _i, _c in steps_sent(bf)] == ["welcome"]

    await teams.post(teams.personal("stop", user="bob", name="Bob Babbage"))
    assert "no more programme messages" in "\n".join(bf.texts())
    await run_until(teams_runtime, clock, clock.now() + timedelta(days=30))
    assert [s for s, _i, _c in steps_sent(bf)] == ["welcome"]


async def test_action_execute_answers_a_choice_with_the_updated_card(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    """Universal Actions: the invoke's answer is the card Teams shows in place of the clicked one; a
    second click answers with the same card and nothing else ("the updated card on Teams")."""
    await teams.post(teams.personal("hello", user="bob", name="Bob Babbage"))
    await teams_runtime.run_due_work()
    ((_step, welcome_id, welcome),) = steps_sent(bf)
    data = submit(welcome, "Got it")
    value = {"action": {"type": "Action.Execute", "verb": data["coach_action"], "data": data}}
    count = len(posted(bf))
    cards = []
    for _ in range(2):
        activity = teams.invoke("adaptiveCard/action", value, user="bob")
        activity["replyToId"] = welcome_id
        response = await teams.post(activity)
        body = await response.json()
        assert body["type"] == "application/vnd.microsoft.card.adaptive"
        cards.append(body["value"])
    assert cards[0] == cards[1] and "nice one, marked as done" in "\n".join(_texts(cards[0]))
    assert "Got it" not in [a["title"] for a in cards[0]["actions"]]
    assert len(posted(bf)) == count  # no "Already recorded" message posted beside it
    Draft6Validator(adaptive_card_schema()).validate(cards[0])
