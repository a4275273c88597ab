"""Admins' reports asked for in a Slack channel are ephemeral: only the asker sees them."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from adapters.runtime import Runtime
from tests.announcements.private_helpers import SECRET_EMAIL, announce_to_a_stranger
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import ADA, SlackClient, fixture
from tests.slack.test_flows import all_text


async def mention(slack: SlackClient, text: str, *, event_id: str) -> None:
    body = fixture("event_app_mention.json")
    body["event"].update(user=ADA, text=f"<@UBOT> {text}", channel="C111", ts=f"{time.time():.6f}")
    body["event_id"] = event_id
    assert (await slack.event(body)).status == 200


async def ephemeral(fake: FakeSlackApi, text: str) -> dict[str, Any]:
    """The first chat.postEphemeral holding `text` (Bolt replies after its ack)."""
    deadline = time.monotonic() + 10
    while not (found := [c for c in fake.to("chat.postEphemeral") if text in all_text(c)]):
        if time.monotonic() > deadline:
            raise AssertionError(f"no ephemeral with {text!r}; calls: {[c.method for c in fake.calls]}")
        await asyncio.sleep(0.01)
    return found[0]


async def test_announcement_csv_and_outbox_in_a_channel_are_ephemeral(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    await announce_to_a_stranger(slack_runtime)
    await slack_runtime.run_due_work()
    await slack.dm(ADA, "hi", event_id="Ev0")
    await fake.wait_for("chat.postMessage")
    await mention(slack, "announcement 1 csv", event_id="Ev1")
    csv = await ephemeral(fake, "announcement-1.csv")
    await mention(slack, "outbox", event_id="Ev2")
    outbox = await ephemeral(fake, "Outbox")
    assert (csv["channel"], csv["user"]) == ("C111", ADA) and SECRET_EMAIL in all_text(csv)
    assert (outbox["channel"], outbox["user"]) == ("C111", ADA) and SECRET_EMAIL in all_text(outbox)
    assert not [c for c in fake.to("chat.postMessage") if SECRET_EMAIL in all_text(c)]


async def test_dashboard_in_a_channel_answers_the_asker_alone_and_never_posts_the_link(
    slack: SlackClient, fake: FakeSlackApi
) -> None:
    """The sign-in link is an ephemeral message in the channel (chat.postEphemeral to the channel and the
    asker), not a post there, nor a direct message the channel never hears of."""
    await slack.dm(ADA, "hi", event_id="Ev0")
    await fake.wait_for("chat.postMessage")
    posted = len(fake.to("chat.postMessage"))
    await mention(slack, "dashboard", event_id="Ev1")
    link = await ephemeral(fake, "sign-in link")
    assert (link["channel"], link["user"]) == ("C111", ADA)
    assert "/dashboard/sign-in?token=" in str(link)
    assert not [c for c in fake.to("chat.postMessage")[posted:] if "sign-in?token=" in str(c)]
