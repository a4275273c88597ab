"""An escalation end to end on Slack: flag in a modal, card in the owners' channel, answer in its thread."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import BOB, SlackClient, fixture

OMAR = "UOMAR"  # the escalation owner of "assistant" in content/systems.yaml
CHANNEL = "C07COMPASS1"  # its Slack escalation channel


def flag_submission() -> dict[str, object]:
    body = fixture("view_submission.json")
    body["user"]["id"] = BOB
    body["trigger_id"] = "flag-trigger"
    body["view"].update(
        callback_id="escalation.flag", private_metadata="https://fake.slack.test/archives/C1/p1"
    )
    body["view"]["state"]["values"] = {
        "output": {"output": {"type": "plain_text_input", "value": "Revenue grew 400% <!here>"}},
        "reason": {"reason": {"type": "static_select", "selected_option": {"value": "unclear"}}},
        "system": {"system": {"type": "static_select", "selected_option": {"value": "assistant"}}},
    }
    return body


@pytest.mark.parametrize("channel_type", ["channel", "group"])  # a public or a private owners' channel
async def test_flag_card_and_thread_answer(slack: SlackClient, fake: FakeSlackApi, channel_type: str) -> None:
    fake.add_user(OMAR, email="omar@example.com", name="Omar")
    response = await slack.interaction(flag_submission())
    assert response.status == 200
    assert (await response.text()) == ""  # valid: the modal closes

    await fake.wait_for("chat.postMessage", 3)  # Bob's welcome and receipt, the card in the channel
    card = next(p for p in fake.to("chat.postMessage") if p["channel"] == CHANNEL)
    assert "Revenue grew 400% &lt;!here&gt;" in str(card["blocks"])  # the output is shown inert
    card_ts = fake.history[CHANNEL][0]["ts"]

    reply = fixture("event_message_channel.json")
    ts = f"{time.time():.6f}"
    reply["event"].update(
        user=OMAR, channel=CHANNEL, channel_type=channel_type, text="It counts the pilot teams only.", ts=ts,
        event_ts=ts, thread_ts=card_ts, parent_user_id="UBOT",
    )  # fmt: skip
    reply["event_id"] = "EvAnswer"
    await slack.event(reply)

    deadline = time.monotonic() + 10
    while not any(
        "pilot teams only" in str(p) for p in fake.to("chat.postMessage") if p["channel"] == f"D{BOB}"
    ):
        assert time.monotonic() < deadline, [c.method for c in fake.calls]
        await asyncio.sleep(0.02)  # the answer goes to Bob through the outbox
