"""A long flagged output over Slack's HTTP path: a DM `flag <output>` keeps it on the server (a modal's
input and private_metadata hold 3,000 characters), the owner reads it whole in a modal opened by
"Show full output", and what is over a limit is refused with the limit named, even from a forged
view_submission."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.escalations.test_long_output import long_output
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import BOB, SlackClient, fixture
from tests.slack.test_escalation import CHANNEL, OMAR, click_form_button, flag_submission


def click_in_channel(post: dict[str, Any], *, ts: str, user: str, label: str) -> dict[str, Any]:
    (element,) = [
        e
        for b in post["blocks"]
        for e in b.get("elements", [])
        if e.get("type") == "button" and e["text"]["text"] == label
    ]
    body = fixture("block_actions.json")
    body["user"]["id"] = user
    body["container"].update(channel_id=CHANNEL, is_ephemeral=False, message_ts=ts)
    body["channel"]["id"] = CHANNEL
    body["actions"][0].update(action_id=element["action_id"], value=element["value"])
    body["trigger_id"] = f"trigger.{user}.{time.time()}"
    return body


def quoted_text(view: dict[str, Any]) -> str:
    """The text of the modal's quote lines, as a person reads it."""
    lines = [
        line
        for block in view["blocks"]
        if block["type"] == "section"
        for line in block["text"]["text"].split("\n")
        if line.startswith(">")
    ]
    text = "\n".join(line[2:] for line in lines)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def test_a_20000_character_flag_reaches_the_owner_whole(slack: SlackClient, fake: FakeSlackApi) -> None:
    fake.add_user(OMAR, email="omar@example.com", name="Omar")
    output = long_output(20_000)
    await slack.dm(BOB, f"flag {output}", event_id="EvLong")
    prompt = await fake.wait_for_post("form.open")
    assert len(str(prompt)) < 3000  # the button carries the draft's id, not the output
    await slack.interaction(click_form_button(prompt, BOB))
    (opened,) = await fake.wait_for("views.open")
    assert opened["view"]["private_metadata"] == "draft:1"
    body = flag_submission()
    body["view"]["private_metadata"] = "draft:1"
    del body["view"]["state"]["values"]["output"]
    assert (await slack.interaction(body)).status == 200

    receipt = await fake.wait_for_post("ESC-1")
    assert "shows the first 2,000 of its 20,000 characters" in json.dumps(receipt["blocks"])
    card = await fake.wait_for_post("an output of Compass was flagged")  # the card, in the owners' channel
    assert card["channel"] == CHANNEL
    assert output not in json.dumps(card)
    card_ts = fake.history[CHANNEL][0]["ts"]
    await slack.interaction(click_in_channel(card, ts=card_ts, user=OMAR, label="Show full output"))
    (_form, dialog) = await fake.wait_for("views.open", 2)
    view = dialog["view"]
    assert view["title"]["text"].startswith("ESC-1") and "submit" not in view
    assert quoted_text(view) == output


async def test_over_the_limit_is_refused_with_the_limit_named(slack: SlackClient, fake: FakeSlackApi) -> None:
    await slack.dm(BOB, f"flag {long_output(40_001)}", event_id="EvTooLong")
    refused = await fake.wait_for_post("a flag keeps up to 40,000")
    assert refused["channel"] == f"D{BOB}" and "40,001 characters" in json.dumps(refused)
    assert not fake.to("views.open")

    forged = flag_submission()  # a client can send anything: 100,000 characters through view_submission
    forged["view"]["state"]["values"]["output"]["output"]["value"] = "x" * 100_000
    response = await slack.interaction(forged)
    answer = await response.json()
    assert answer["response_action"] == "errors"
    assert answer["errors"]["output"].startswith("That is 100,000 characters; this box takes up to 3,000.")
