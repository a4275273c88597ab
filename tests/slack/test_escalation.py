"""An escalation end to end on Slack: flag in a modal, card in the owners' channel, answer in its thread."""

from __future__ import annotations

import asyncio
import time

import pytest

from adapters.runtime import Runtime
from bot.escalations.models import Escalation, FlagDraft
from tests.fakes.slack_api import FakeSlackApi, landed
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
async def test_flag_card_and_thread_answer(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime, channel_type: str
) -> None:
    fake.add_user(OMAR, email="omar@example.com", name="Omar")
    response = await slack.interaction(flag_submission())
    assert response.status == 200
    assert (await response.text()) == ""  # valid: the modal closes

    await fake.wait_for("chat.postMessage", 3)  # Bob's welcome and receipt, the card in the channel
    # The coach reads a reply only in a thread it knows is a card's: the outbox records the card's
    # thread just after Slack answers (a person cannot reply sooner; a test can).
    deadline = time.monotonic() + 10
    while not slack_runtime.store.run_sync(
        lambda s: (row := s.get(Escalation, 1)) is not None and row.card_thread_id
    ):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
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
        "pilot teams only" in str(p) for p in fake.to("chat.postMessage") if landed(p) == f"D{BOB}"
    ):
        assert time.monotonic() < deadline, [c.method for c in fake.calls]
        await asyncio.sleep(0.02)  # the answer goes to Bob through the outbox


def click_form_button(post: dict[str, object], user: str) -> dict[str, object]:
    """The block_actions payload of clicking the form button in a posted message."""
    (button,) = [
        e for b in post["blocks"] for e in b.get("elements", []) if e.get("action_id") == "form.open"
    ]  # type: ignore[attr-defined]
    body = fixture("block_actions.json")
    body["user"]["id"] = user
    body["container"].update(channel_id=f"D{user}", is_ephemeral=False, message_ts="1700000000.000001")
    body["channel"]["id"] = f"D{user}"
    body["actions"][0].update(action_id="form.open", value=button["value"])
    body["trigger_id"] = f"trigger.{user}.{time.time()}"
    return body


async def test_flag_typed_in_a_dm_keeps_the_output_through_the_button(
    slack: SlackClient, fake: FakeSlackApi
) -> None:
    """A DM message has no trigger_id, so the form is a button; what was typed waits on the server
    (the button carries only its id) and is shown in the modal, then flagged as it was typed."""
    await slack.dm(BOB, "flag Revenue grew 400% <!here>", event_id="EvFlag")
    prompt = await fake.wait_for_post("form.open")
    await slack.interaction(click_form_button(prompt, BOB))
    (opened,) = await fake.wait_for("views.open")
    view = opened["view"]
    assert view["private_metadata"] == "draft:1"
    assert "output" not in [b.get("block_id") for b in view["blocks"]]
    assert "> Revenue grew 400% &lt;!here&gt;" in view["blocks"][0]["text"]["text"]  # shown, inert

    body = flag_submission()
    body["view"]["private_metadata"] = view["private_metadata"]
    del body["view"]["state"]["values"]["output"]
    assert (await slack.interaction(body)).status == 200
    card = await fake.wait_for_post("an output of Compass was flagged")
    assert card["channel"] == CHANNEL and "Revenue grew 400% &lt;!here&gt;" in str(card["blocks"])


async def test_a_message_forwarded_to_the_coach_is_offered_as_a_flag(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    body = fixture("event_message_im_top_level.json")
    ts = f"{time.time():.6f}"
    body["event"].update(user=BOB, channel=f"D{BOB}", ts=ts, text="what does this mean?", attachments=[{
        "is_share": True, "is_msg_unfurl": True, "channel_id": "C1", "ts": "1776404384.245429",
        "author_id": "UASSISTANT", "text": "The contract renews in *March* 2027.",
        "from_url": "https://example.slack.com/archives/C1/p1776404384245429",
    }])  # fmt: skip
    body["event_id"] = "EvForward"
    await slack.event(body)
    prompt = await fake.wait_for_post("form.open")
    assert prompt["channel"] == f"D{BOB}" and "Flag an AI output" in str(prompt["blocks"])
    await slack.interaction(click_form_button(prompt, BOB))
    (opened,) = await fake.wait_for("views.open")
    assert opened["view"]["private_metadata"] == "draft:1"
    draft = slack_runtime.store.run_sync(lambda s: s.get(FlagDraft, 1))
    assert draft is not None
    assert draft.output_text == "The contract renews in *March* 2027."  # as the shortcut gives it
    assert draft.source_link == "https://example.slack.com/archives/C1/p1776404384245429"
