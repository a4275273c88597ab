"""Issue 15 over the real Bolt app and slack_sdk against the fake Web API (which enforces Slack's tiers,
time-compressed): people imported by email reached on day one, a first contact that survives a broken
users.info, a rate-limited reply delivered later, and Slack's app_rate_limited event."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import REGISTRY
from sqlmodel import Session, col, select

from adapters.runtime import Runtime, build_runtime
from bot.announcements import drafts, service
from bot.config import Settings
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people import service as people
from bot.ports import FixedClock
from bot.store.db import Store
from tests.fakes.slack_api import TEAM, Failure, FakeSlackApi, landed
from tests.slack.conftest import BOB, SlackClient, fixture

IMPORTED = 1000


async def eventually(check: Any, *, within: float = 20.0) -> Any:
    async with asyncio.timeout(within):
        while not (found := check()):  # noqa: ASYNC110 (a condition on another party's state)
            await asyncio.sleep(0.02)
    return found


def answered(fake: FakeSlackApi, user: str) -> list[dict[str, Any]]:
    return [p for p in fake.to("chat.postMessage") if landed(p) == f"D{user}"]


async def test_users_info_answering_text_plain_503_loses_no_event(
    slack: SlackClient, fake: FakeSlackApi
) -> None:
    fake.garble("users.info", 503)
    await slack.dm(BOB, "help", event_id="Ev1")
    await eventually(lambda: answered(fake, BOB))  # answered with defaults, not lost after the ack


async def test_users_info_hanging_loses_no_event(slack: SlackClient, fake: FakeSlackApi) -> None:
    fake.hang("users.info")
    await slack.dm(BOB, "help", event_id="Ev1")
    await eventually(lambda: answered(fake, BOB))  # after the profile call's time limit


async def test_a_reply_refused_with_429_is_delivered_later(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    for _ in range(2):  # the reply client retries one 429 itself; the second goes to the outbox
        fake.fail_next("chat.postMessage", Failure(status=429, retry_after=1, channel=f"D{BOB}"))
    await slack.dm(BOB, "help", event_id="Ev1")

    def later(session: Session) -> list[OutboxMessage]:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reply")).all())

    rows = await eventually(lambda: slack_runtime.store.run_sync(later))
    assert rows[0].idempotency_key.startswith(f"reply:slack:{TEAM}:Ev1:")
    await eventually(lambda: answered(fake, BOB))
    await eventually(lambda: {r.state for r in slack_runtime.store.run_sync(later)} == {OutboxState.sent})


async def test_app_rate_limited_is_acknowledged_counted_and_told_to_admins_once_an_hour(
    slack: SlackClient, slack_runtime: Runtime, clock: FixedClock
) -> None:
    now = clock.now()

    def an_admin(session: Session) -> None:
        people.ensure_by_email(session=session, email="ada@example.com", now=now).is_admin = True

    await slack_runtime.store.run(an_admin)
    before = REGISTRY.get_sample_value("coach_app_rate_limited_total", {"team": TEAM}) or 0
    for minute in (1518467820, 1518467880, 1518469200):  # Slack repeats it each minute; the last a new hour
        body = {"token": "x", "type": "app_rate_limited", "team_id": TEAM, "minute_rate_limited": minute,
                "api_app_id": "A111"}  # fmt: skip
        response = await slack.event(body)
        assert response.status == 200
    assert REGISTRY.get_sample_value("coach_app_rate_limited_total", {"team": TEAM}) == before + 3

    def notices(session: Session) -> list[OutboxMessage]:
        query = select(OutboxMessage).where(col(OutboxMessage.idempotency_key).startswith("workspace.rate_limited"))
        return list(session.exec(query).all())

    told = slack_runtime.store.run_sync(notices)
    assert len(told) == 2  # once per hour of it, not once per event
    assert "dropping the coach's events" in str(told[0].payload)


async def test_people_imported_by_email_all_receive_an_announcement_each_dm_opened_at_most_once(
    slack_settings: Settings, store: Store, clock: FixedClock, fake: FakeSlackApi
) -> None:
    for n in range(IMPORTED):
        fake.add_user(f"UIMP{n:04d}", email=f"person{n}@example.com", name=f"Person {n}")
    runtime = build_runtime(slack_settings, clock=clock, store=store)
    runtime_app(runtime)
    now = clock.now()

    def imported(session: Session) -> None:
        for n in range(IMPORTED):
            people.ensure_by_email(session=session, email=f"person{n}@example.com", now=now)

    await store.run(imported)
    await runtime.run_due_work()  # the directory match: users.list pages, not 1,000 lookups
    assert 1 <= len(fake.to("users.list")) <= 2 and fake.to("users.lookupByEmail") == []

    await announce(runtime, "first")
    await drain_all(runtime)
    reached = {landed(p) for p in fake.to("chat.postMessage") if "first" in str(p.get("blocks"))}
    assert {f"DUIMP{n:04d}" for n in range(IMPORTED)} <= reached
    assert fake.to("conversations.open") == []  # posted to the user ids; each DM channel learned

    again = build_runtime(slack_settings, clock=clock, store=store)  # a restart: new memory, same database
    runtime_app(again)
    await announce(again, "second")
    await drain_all(again)
    second = [p for p in fake.to("chat.postMessage") if "second" in str(p.get("blocks"))]
    assert len({landed(p) for p in second}) >= IMPORTED
    assert {p["channel"] for p in second if p["channel"].startswith("DUIMP")} == {
        f"DUIMP{n:04d}" for n in range(IMPORTED)
    }  # the stored DM channels
    assert fake.to("conversations.open") == []


def runtime_app(runtime: Runtime) -> None:
    """Mount the Slack adapter on the runtime (its sender and directory), as `coach run` does."""
    from adapters.web.app import build_app

    build_app(runtime)


async def announce(runtime: Runtime, title: str) -> None:
    body = drafts.AnnouncementBody.model_validate(
        {
            "key": title,
            "title": title,
            "body": f"The {title} news.",
            "audience": {"kind": "everyone"},
            "critical": True,
        }
    )
    now = runtime.clock.now()

    def work(session: Session) -> None:
        announcement = drafts.create(
            session=session, content=runtime.content, request=body.request(), author=None,
            author_name="test", now=now, client_key=title,
        )  # fmt: skip
        service.confirm(session=session, announcement=announcement, now=now)

    await runtime.store.run(work)


async def drain_all(runtime: Runtime) -> None:
    for _ in range(200):
        await runtime.run_due_work()
        left = await runtime.store.run(
            lambda s: s.exec(select(OutboxMessage).where(OutboxMessage.state == OutboxState.pending)).all()
        )
        if not left:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(left)} messages still pending")


__all__ = ["fixture"]


async def test_a_first_contact_the_directory_match_has_read_needs_no_users_info(
    slack: SlackClient, slack_runtime: Runtime, fake: FakeSlackApi, clock: FixedClock
) -> None:
    fake.add_user("UNEW0001", email="newcomer@example.com", name="New Comer")
    now = clock.now()
    await slack_runtime.store.run(
        lambda session: people.ensure_by_email(session=session, email="newcomer@example.com", now=now)
    )
    await slack_runtime.run_due_work()  # the match reads the profile (users.lookupByEmail for a few)
    assert fake.to("users.lookupByEmail") or fake.to("users.list")
    response = await slack.dm("UNEW0001", "help", event_id="EvNewcomer")
    assert response.status == 200
    await eventually(lambda: answered(fake, "UNEW0001"))
    assert fake.to("users.info") == []  # answered from the profile the match read
