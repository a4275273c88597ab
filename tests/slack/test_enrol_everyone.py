"""`enrol everyone` over signed Slack requests: the workspace's people come from users.list pages (bots,
Slackbot and deactivated accounts left out); the admin gets the count first, and only `enrol everyone
confirm` enrols them; a second confirm leaves the enrolled alone; a non-admin is refused."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from adapters.runtime import Runtime
from bot.ports import FixedClock
from bot.programmes.everyone import COUNT_EVERYONE, ENROL_EVERYONE
from bot.schedule.models import DueWork
from tests.fakes.slack_api import FakeSlackApi
from tests.programmes.harness import run_until
from tests.slack.conftest import ADA, BOB, SlackClient
from tests.slack.test_flows import all_text
from tests.slack.test_programme import command, explicit_outbox, proactive, slack_settings

__all__ = ["explicit_outbox", "slack_settings"]  # the programme test's fixtures, used here too
CAL = "UCAL"


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapters.slack.directory.USERS_PAGE", 2)  # four pages for seven accounts


async def queued(runtime: Runtime, kind: str, count: int = 1) -> None:
    """Wait until the command (run by Bolt after its ack) has queued the job."""

    def found(session: Session) -> bool:
        return len(session.exec(select(DueWork).where(DueWork.kind == kind)).all()) >= count

    async with asyncio.timeout(10):
        while True:
            if await runtime.store.run(found):
                return
            await asyncio.sleep(0.02)


def notices(fake: FakeSlackApi, kind: str) -> list[str]:
    return [all_text(post) for post in proactive(fake, f"D{ADA}", kind)]


def welcomes(fake: FakeSlackApi, user: str) -> list[dict[str, Any]]:
    return proactive(fake, f"D{user}", "programme:")


async def test_enrol_everyone_counts_then_enrols_on_confirm_once(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime, clock: FixedClock
) -> None:
    fake.add_user(ADA, email="ada@example.com", name="Ada")
    fake.add_user(BOB, email="bob@example.com", name="Bob", tz="America/New_York")
    fake.add_user(CAL, email="cal@example.com", name="Cal")
    fake.add_user("UHELPER", email="helper@example.com", name="Helper", is_bot=True)
    fake.add_user("UGONE", email="gone@example.com", name="Gone", deleted=True)

    assert (await slack.dm(ADA, "enrol everyone", event_id="EvCount")).status == 200
    await queued(slack_runtime, COUNT_EVERYONE)
    await slack_runtime.run_due_work()
    (count,) = notices(fake, COUNT_EVERYONE)
    assert "There are 3 people in this workspace (0 of them can't be reached yet)" in count
    assert "enrol everyone confirm programme" in count
    pages = fake.to("users.list")
    assert [(p.get("cursor"), int(p["limit"])) for p in pages] == [
        (None, 2), ("off:2", 2), ("off:4", 2), ("off:6", 2)
    ]  # fmt: skip
    assert not welcomes(fake, BOB) and not welcomes(fake, CAL)  # nobody enrolled before the confirm

    fields = command(ADA, "enrol everyone confirm", fake)
    assert (await slack.command(fields)).status == 200
    await queued(slack_runtime, ENROL_EVERYONE)
    await run_until(slack_runtime, clock, clock.now() + timedelta(hours=6))  # 10:00 for Bob in New York
    (done,) = notices(fake, ENROL_EVERYONE)
    assert "Enrolled 2 of 3 people from this workspace" in done  # Ada: enrolled when she first wrote
    assert "1 already enrolled, 0 can't be reached yet" in done
    for user in (BOB, CAL):
        (welcome,) = welcomes(fake, user)
        assert welcome["metadata"]["event_payload"]["key"].endswith(":welcome:1")
    assert not welcomes(fake, "UHELPER") and not welcomes(fake, "UGONE")
    assert fake.to("conversations.open") == []  # posted to their user ids
    assert {c["user"] for c in fake.to("users.info")} <= {ADA}  # her first contact; the rest from users.list

    assert (await slack.dm(ADA, "enrol everyone confirm", event_id="EvAgain")).status == 200
    await queued(slack_runtime, ENROL_EVERYONE, count=2)
    await run_until(slack_runtime, clock, clock.now() + timedelta(hours=1))
    again = [text for text in notices(fake, ENROL_EVERYONE) if text != done]
    assert len(again) == 1 and "Enrolled 0 of 3 people" in again[0] and "3 already enrolled" in again[0]
    assert len(welcomes(fake, BOB)) == 1 and len(welcomes(fake, CAL)) == 1


async def test_enrol_everyone_is_for_admins_only(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    fake.add_user(BOB, email="bob@example.com", name="Bob")
    assert (await slack.dm(BOB, "enrol everyone confirm", event_id="EvBob")).status == 200
    await slack_runtime.run_due_work()

    def jobs(session: Session) -> list[DueWork]:
        kinds = (COUNT_EVERYONE, ENROL_EVERYONE)
        return list(session.exec(select(DueWork).where(col(DueWork.kind).in_(kinds))).all())

    assert await slack_runtime.store.run(jobs) == []
    assert fake.to("users.list") == []
