"""The friction loop over signed Slack requests: a report from the modal → the card in the owners'
channel → Fixed → the reporter is told in their DM and answers "Is it better now?"."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from sqlmodel import select

from adapters.runtime import Runtime
from bot.friction.models import FrictionReport, Status
from tests.fakes.slack_api import FakeSlackApi, landed
from tests.slack.conftest import SlackClient, fixture

DEV = "UDEV"  # the programme owner of "assistant"
ZOE = "UZOE"
CHANNEL = "C07COMPASS1"  # the system's Slack owners' channel


def report_submission(user: str) -> dict[str, Any]:
    body = fixture("view_submission.json")
    body["user"]["id"] = user
    body["trigger_id"] = "report-trigger"
    body["view"].update(callback_id="friction.report", private_metadata="assistant")

    def text(value: str) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": value}

    def choice(value: str) -> dict[str, Any]:
        return {"type": "static_select", "selected_option": {"value": value}}

    fields = {
        "trying_to": text("Summarise the <!channel> thread"),
        "category": choice("speed"),
        "severity": choice("blocks"),
        "details": text("Times out & gives up"),
        "system": choice("assistant"),
        "anonymous": choice("no"),
    }
    body["view"]["state"]["values"] = {name: {name: value} for name, value in fields.items()}
    return body


def click(user: str, channel: str, *, action_id: str, value: str, message_ts: str) -> dict[str, Any]:
    body = fixture("block_actions.json")
    body["user"]["id"] = user
    body["container"].update(channel_id=channel, is_ephemeral=False, message_ts=message_ts)
    body["channel"]["id"] = channel
    body["actions"][0].update(action_id=action_id, value=value)
    body["trigger_id"] = f"trigger.{user}.{action_id}"
    return body


async def until(found: Callable[[], Any], fake: FakeSlackApi) -> Any:
    deadline = time.monotonic() + 10
    while not (result := found()):
        assert time.monotonic() < deadline, [c.method for c in fake.calls]
        await asyncio.sleep(0.02)  # the outbox sends in the background
    return result


def posted(fake: FakeSlackApi, channel: str, text: str) -> list[dict[str, Any]]:
    return [
        p
        for p in fake.to("chat.postMessage")
        if landed(p) == channel and text in str(p.get("blocks")) + str(p.get("text"))
    ]


def button_value(post: dict[str, Any], action_id: str, label: str) -> str:
    for block in post["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id", "").startswith(action_id) and label in str(element.get("text")):
                return str(element["value"])
    raise AssertionError(f"no {label!r} button in {post['blocks']}")


async def test_report_owner_fixes_reporter_answers_over_slack(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    fake.add_user(DEV, email="dev@example.com", name="Dev", tz="Europe/London")
    fake.add_user(ZOE, email="zoe@example.com", name="Zoe", tz="Europe/London")
    response = await slack.interaction(report_submission(ZOE))
    assert response.status == 200

    (card,) = await until(lambda: posted(fake, CHANNEL, "FR-1"), fake)
    assert "Summarise the &lt;!channel&gt; thread" in str(card["blocks"])  # inert in mrkdwn
    card_ts = fake.history[CHANNEL][0]["ts"]

    fixed = button_value(card, "friction.fixed", "Fixed")
    await slack.interaction(click(DEV, CHANNEL, action_id="friction.fixed", value=fixed, message_ts=card_ts))
    (update,) = await until(lambda: posted(fake, f"D{ZOE}", "has been fixed"), fake)
    yes = button_value(update, "friction.better", "Yes")

    update_ts = fake.history[f"D{ZOE}"][-1]["ts"]
    await slack.interaction(
        click(ZOE, f"D{ZOE}", action_id="friction.better", value=yes, message_ts=update_ts)
    )

    def closed() -> bool:
        reports = slack_runtime.store.run_sync(lambda s: list(s.exec(select(FrictionReport)).all()))
        return reports[0].status == Status.closed and reports[0].better is True

    await until(closed, fake)
    (answered,) = await until(lambda: [u for u in fake.to("chat.update") if u["ts"] == update_ts], fake)
    assert "Glad to hear it" in str(answered["blocks"]) and "friction.better" not in str(answered["blocks"])
