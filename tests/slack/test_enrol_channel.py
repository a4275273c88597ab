"""`enrol channel` over signed Slack requests: the members come from conversations.members (paged) and
users.info; the people are enrolled and their welcome steps go out through the outbox to their DMs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from adapters.runtime import Runtime
from bot.ports import FixedClock
from bot.programmes.channel import ENROL_CHANNEL
from bot.schedule.models import DueWork
from tests.fakes.slack_api import BOT_USER, FakeSlackApi
from tests.programmes.harness import run_until
from tests.slack.conftest import ADA, BOB, SlackClient
from tests.slack.test_flows import all_text
from tests.slack.test_programme import command, explicit_outbox, proactive, slack_settings

__all__ = ["explicit_outbox", "slack_settings"]  # the programme test's fixtures, used here too
CAL = "UCAL"


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapters.slack.directory.MEMBERS_PAGE", 2)  # three pages for four members


async def queued(runtime: Runtime) -> None:
    """Wait until the command (run by Bolt after its ack) has queued the job."""

    def found(session: Session) -> bool:
        return session.exec(select(DueWork).where(DueWork.kind == ENROL_CHANNEL)).first() is not None

    async with asyncio.timeout(10):
        while True:
            if await runtime.store.run(found):
                return
            await asyncio.sleep(0.02)


def notices(fake: FakeSlackApi) -> list[dict[str, Any]]:
    return proactive(fake, f"D{ADA}", ENROL_CHANNEL)


async def enrolled_and_welcomed(runtime: Runtime, clock: FixedClock, fake: FakeSlackApi) -> str:
    await run_until(runtime, clock, clock.now() + timedelta(hours=6))  # 10:00 for Bob in New York
    assert {c["user"] for c in fake.to("users.info")} >= {BOB, CAL, BOT_USER}
    (notice,) = notices(fake)
    for user in (BOB, CAL):
        (welcome,) = proactive(fake, f"D{user}", "programme:")
        assert welcome["metadata"]["event_payload"]["key"].endswith(":welcome:1")
    assert fake.to("conversations.open") == []  # posted to their user ids: no DM opened
    assert not proactive(fake, f"D{BOT_USER}", "")
    return all_text(notice)


async def test_slash_command_in_a_channel_enrols_its_members(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime, clock: FixedClock
) -> None:
    fake.add_user(CAL, email="cal@example.com", name="Cal")
    fake.add_channel("C111", [ADA, BOB, CAL, BOT_USER])
    fields = command(ADA, "enrol channel", fake)
    fields.update(channel_id="C111", channel_name="general")
    assert (await slack.command(fields)).status == 200
    await queued(slack_runtime)

    text = await enrolled_and_welcomed(slack_runtime, clock, fake)
    pages = fake.to("conversations.members")
    assert [(p["channel"], p.get("cursor"), int(p["limit"])) for p in pages] == [
        ("C111", None, 2),
        ("C111", "off:2", 2),
    ]
    assert "Enrolled 2 of 3 people from C111" in text  # Ada herself: enrolled when she first wrote
    assert "1 already enrolled, 0 can't be reached yet" in text


async def test_a_dm_names_the_channel_by_mention(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime, clock: FixedClock
) -> None:
    fake.add_user(CAL, email="cal@example.com", name="Cal")
    fake.add_channel("C222", [BOB, CAL, BOT_USER])
    assert (await slack.dm(ADA, "enrol channel <#C222|general>", event_id="EvEnrol")).status == 200
    await queued(slack_runtime)

    text = await enrolled_and_welcomed(slack_runtime, clock, fake)
    assert {p["channel"] for p in fake.to("conversations.members")} == {"C222"}
    assert "Enrolled 2 of 2 people from general" in text
