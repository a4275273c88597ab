"""A deactivated Slack account (user_change with deleted: true, in Slack's payload shape) is someone who
left: their roles and open flags go to their backups at once; other profile changes cost nothing."""

from __future__ import annotations

import asyncio
import time

from adapters.runtime import Runtime
from bot.escalations.models import Escalation
from bot.ownership import service
from bot.people import service as people
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import ADA, SlackClient, fixture
from tests.slack.test_escalation import OMAR, flag_submission

BEA = "UBEA"


def user_change(user: str, *, deleted: bool, event_id: str) -> dict[str, object]:
    body = fixture("event_user_change.json")
    body["event"]["user"].update(id=user, deleted=deleted)
    body["event_id"] = event_id
    return body


async def test_a_deactivated_account_hands_roles_to_the_backups(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    fake.add_user(OMAR, email="omar@example.com", name="Omar")
    fake.add_user(BEA, email="bea@example.com", name="Bea")
    for user in (OMAR, BEA, ADA):
        await slack.dm(user, "hi", event_id=f"Ev{user}")
    assert (await slack.interaction(flag_submission())).status == 200
    await fake.wait_for_post("an output of Compass was flagged")

    calls = len(fake.calls)
    assert (await slack.event(user_change(OMAR, deleted=False, event_id="EvEdit"))).status == 200
    assert (await slack.event(user_change(OMAR, deleted=True, event_id="EvGone"))).status == 200
    assert (await slack.event(user_change(OMAR, deleted=True, event_id="EvGone"))).status == 200  # a retry

    def moved() -> bool:
        holder = slack_runtime.store.run_sync(
            lambda s: service.holder(session=s, system="assistant", role="escalation_owner")
        )
        return holder is not None and holder.email == "bea@example.com"

    deadline = time.monotonic() + 10
    while not moved():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    assert [c.method for c in fake.calls[calls:] if c.method == "users.info"] == []  # no lookup for the edit
    bea = slack_runtime.store.run_sync(lambda s: people.by_email(session=s, email="bea@example.com"))
    row = slack_runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    assert bea is not None and row is not None and row.owner_id == bea.id
    told = await fake.wait_for_post("Now uncovered")
    assert told["channel"] == f"D{ADA}" and "the retraining decider of Compass has no backup now" in str(told)
    assert len([p for p in fake.to("chat.postMessage") if "Now uncovered" in str(p)]) == 1  # the retry: once
    await fake.wait_for_post("ESC-1 is yours now")
