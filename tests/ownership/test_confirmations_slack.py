"""A confirmation card over signed Slack requests: asked for in the DM, Confirm settles it in place."""

from __future__ import annotations

from sqlmodel import select

from adapters.runtime import Runtime
from bot.ownership.models import RoleConfirmation
from tests.fakes.slack_api import FakeSlackApi
from tests.friction.test_slack import button_value, click
from tests.slack.conftest import SlackClient

OMAR = "UOMAR"


async def test_confirm_over_slack(slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime) -> None:
    fake.add_user(OMAR, email="omar@example.com", name="Omar")
    await slack.dm(OMAR, "owners confirm assistant", event_id="EvConfirm")
    card = await fake.wait_for_post("Still right?")
    assert card["channel"] == f"D{OMAR}" and "the escalation owner" in str(card["blocks"])
    ts = fake.history[f"D{OMAR}"][-1]["ts"]
    value = button_value(card, "ownership.confirm", "Confirm")
    await slack.interaction(
        click(OMAR, f"D{OMAR}", action_id="ownership.confirm", value=value, message_ts=ts)
    )
    update = await fake.wait_for_call(lambda: [u for u in fake.to("chat.update") if u["ts"] == ts])
    assert "Confirmed" in str(update[0]["blocks"]) and "ownership.confirm" not in str(update[0]["blocks"])
    (row,) = slack_runtime.store.run_sync(lambda s: list(s.exec(select(RoleConfirmation)).all()))
    assert row.answer == "confirmed"
