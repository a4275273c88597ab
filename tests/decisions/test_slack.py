"""The decision log over signed Slack requests: `/coach review drift` opens the modal with what happened
since the last review, a degraded verdict reaches the retraining decider's DM, whose Decide button
opens the decision modal, and a retrain reaches the change communicator."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from adapters.runtime import Runtime
from bot.decisions.models import Decision
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import SlackClient, fixture
from tests.slack.test_escalation import click_form_button

IVAN, PRIYA, DEV = "UIVAN", "UPRIYA", "UDEV"


def submission(
    user: str, callback_id: str, metadata: str, values: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    body = fixture("view_submission.json")
    body["user"]["id"] = user
    body["trigger_id"] = f"trigger.{user}.{callback_id}"
    body["view"].update(callback_id=callback_id, private_metadata=metadata)
    body["view"]["state"]["values"] = {name: {name: value} for name, value in values.items()}
    return body


def text(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def choice(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


async def test_review_then_decision_over_slack(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    fake.add_user(IVAN, email="ivan@example.com", name="Ivan")
    fake.add_user(PRIYA, email="priya@example.com", name="Priya")
    fake.add_user(DEV, email="dev@example.com", name="Dev")
    await slack.dm(PRIYA, "hi", event_id="EvPriya")
    await slack.dm(DEV, "hi", event_id="EvDev")

    fields = fixture("slash_command.fields.json")
    fields.update(command="/coach", text="review drift assistant", user_id=IVAN, trigger_id="trigger.ivan")
    fields.update(response_url=fake.response_url(IVAN))
    assert (await slack.command(fields)).status == 200
    (opened,) = await fake.wait_for("views.open")
    view = opened["view"]
    assert view["callback_id"] == "decisions.review" and "no flags" in str(view["blocks"])

    values = {
        "looked_at": text("The evaluation set <!channel>"),
        "verdict": choice("degraded"),
        "evidence": text("https://dash.example.com/drift"),
    }
    response = await slack.interaction(submission(IVAN, "decisions.review", view["private_metadata"], values))
    assert response.status == 200 and (await response.text()) == ""  # the modal closes

    ask = await fake.wait_for_post("found it")
    assert ask["channel"] == f"D{PRIYA}"
    await slack.interaction(click_form_button(ask, PRIYA))
    opened = (await fake.wait_for("views.open", 2))[-1]
    view = opened["view"]
    assert view["callback_id"] == "decisions.decision"

    values = {
        "kind": choice("retrain"),
        "rationale": text("Worse since the data refresh"),
        "review": choice("1"),
        "model_version": text("compass-2026-12"),
    }
    response = await slack.interaction(
        submission(PRIYA, "decisions.decision", view["private_metadata"], values)
    )
    assert response.status == 200
    prompt = await fake.wait_for_post("Please tell its users")
    assert prompt["channel"] == f"D{DEV}" and "compass-2026-12" in str(prompt["blocks"])
    (decision,) = slack_runtime.store.run_sync(lambda s: list(s.exec(select(Decision)).all()))
    assert decision.review_id == 1 and decision.kind == "retrain"


async def test_a_bad_evidence_link_keeps_the_slack_modal_open(slack: SlackClient, fake: FakeSlackApi) -> None:
    fake.add_user(IVAN, email="ivan@example.com", name="Ivan")
    values = {"looked_at": text("Samples"), "verdict": choice("watch"), "evidence": text("see the wiki")}
    response = await slack.interaction(submission(IVAN, "decisions.review", "assistant", values))
    assert response.status == 200
    body = await response.json()
    assert body["response_action"] == "errors" and "evidence" in body["errors"]
