"""`/coach help` through the real Bolt app lists what the person may do, and nothing else."""

from __future__ import annotations

from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import ADA, BOB, SlackClient, fixture
from tests.slack.test_flows import all_text

ADMIN_ONLY = ("`admins [add|remove EMAIL]`", "`preview [KEY]`", "`friction export`", "`owners set ROLE")
ANNOUNCERS = ("`announce`", "`announcements`", "`announcement ID [csv|cancel]`")


async def slash_help(slack: SlackClient, fake: FakeSlackApi, user: str) -> str:
    fields = fixture("slash_command.fields.json")
    fields.update(command="/coach", text="help", user_id=user, trigger_id=f"trigger.{user}")
    fields.update(response_url=fake.response_url(user))
    before = len(fake.to("response_url"))  # counted before the ack: the answers may beat the ack's reading
    assert (await slack.command(fields)).status == 200
    answers = await fake.wait_for("response_url", before + 2)  # welcome, then help
    return all_text(answers[-1])


async def test_slash_help_lists_only_what_the_person_may_do(slack: SlackClient, fake: FakeSlackApi) -> None:
    bob = await slash_help(slack, fake, BOB)  # a user
    assert "`settings`" in bob and "`friction [what went wrong]`" in bob and "Your roles: user." in bob
    assert not [c for c in (*ADMIN_ONLY, *ANNOUNCERS, "`readiness`", "`friction list") if c in bob]

    ada = await slash_help(slack, fake, ADA)  # an admin (COACH_ADMINS)
    assert all(c in ada for c in (*ADMIN_ONLY, *ANNOUNCERS, "`readiness`", "`friction list"))
