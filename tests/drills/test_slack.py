"""A drill over signed Slack requests: an admin starts it with the slash command, the backup is told it is
a drill, and a flag's card reaches the backup's DM, not the owners' channel the primary reads."""

from __future__ import annotations

from adapters.runtime import Runtime
from bot.escalations.models import Escalation
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import ADA, SlackClient, fixture
from tests.slack.test_escalation import CHANNEL, OMAR, flag_submission

BEA = "UBEA"  # the escalation owner's backup


async def test_a_drill_over_slack_sends_the_flag_to_the_backup(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    fake.add_user(OMAR, email="omar@example.com", name="Omar")
    fake.add_user(BEA, email="bea@example.com", name="Bea")
    await slack.dm(BEA, "hi", event_id="EvBea")
    await slack.dm(OMAR, "hi", event_id="EvOmar")

    fields = fixture("slash_command.fields.json")
    fields.update(command="/coach", text="drill assistant 5 days", user_id=ADA, trigger_id="trigger.ada")
    fields.update(response_url=fake.response_url(ADA))
    assert (await slack.command(fields)).status == 200
    briefing = await fake.wait_for_post("This is a drill", channel=f"D{BEA}")  # other stand-ins get theirs
    assert "you stand in for" in str(briefing["blocks"])

    assert (await slack.interaction(flag_submission())).status == 200
    card = await fake.wait_for_post("an output of Compass was flagged")
    assert card["channel"] == f"D{BEA}"
    assert not [
        p for p in fake.to("chat.postMessage") if p["channel"] in (CHANNEL, f"D{OMAR}") and "ESC-1" in str(p)
    ]
    row = slack_runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    assert row is not None
