"""A 429 from Slack on the outbox path is counted (coach_platform_throttled_total, for the alert rules)."""

from __future__ import annotations

from prometheus_client import REGISTRY

from adapters.runtime import Runtime
from bot.messages import text_message
from bot.outbox import service as outbox
from tests.fakes.slack_api import Failure, FakeSlackApi
from tests.slack.conftest import SlackClient


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_429_from_slack_is_counted(
    slack: SlackClient, slack_runtime: Runtime, fake: FakeSlackApi
) -> None:
    del slack  # serves the app, which gives the dispatcher its Slack sender
    before = sample("coach_platform_throttled_total", platform="slack", path="outbox")
    now = slack_runtime.clock.now()
    # Through the store's one writer, as the product queues: a second SQLite writer beside the app's
    # start-up work would meet a stale snapshot and be refused at once ("database is locked").
    await slack_runtime.store.run(
        lambda s: outbox.enqueue(
            session=s,
            key="k",
            platform="slack",
            address={"team": "T111", "channel": "C1"},
            message=text_message("hello"),
            now=now,
        )
    )
    fake.fail_next("chat.postMessage", Failure(status=429, retry_after=30))
    await slack_runtime.dispatcher.drain_once()
    assert sample("coach_platform_throttled_total", platform="slack", path="outbox") == before + 1
