"""The outbox sender: Teams' per-conversation and per-tenant limits, the connector's 429, update and
thread targets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.runtime import Runtime
from adapters.teams.sender import TeamsSender
from adapters.teams.throttle import ConversationThrottle
from adapters.teams.translate import conversation_reference
from bot.messages import text_message
from bot.outbox.pace import Pacer
from bot.ports import Outgoing, PermanentFailure, RetryLater, Unreachable
from bot.store.db import Store
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import Teams


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def on(clock: FakeTime, **kw: Any) -> ConversationThrottle:
    """A throttle on `clock` whose tenant pace keeps time of its own (its waits are not `clock.slept`)."""
    tenant_time = FakeTime()
    pacer = Pacer(wall=tenant_time, sleep=tenant_time.sleep)
    return ConversationThrottle(pacer=kw.pop("pacer", pacer), now=clock, sleep=clock.sleep, **kw)


async def test_throttle_follows_the_teams_windows() -> None:
    clock = FakeTime()
    throttle = on(clock, max_wait=2.0)
    for _ in range(7):
        await throttle.acquire("c1")
    assert clock.slept == []
    await throttle.acquire("c1")  # the 8th in one second waits for the 1 s window
    assert clock.slept == [1.0]
    assert throttle.wait_needed("c1") == pytest.approx(1.0)  # 8 per 2 s
    assert throttle.wait_needed("other") == 0.0  # limits are per conversation


async def test_throttle_long_waits_become_retry_later() -> None:
    clock = FakeTime()
    throttle = on(clock, max_wait=2.0)
    for _ in range(60):
        clock.now += 0.4  # 2.5 per second: inside the short windows, not the 30 s one
        await throttle.acquire("c1")
    with pytest.raises(RetryLater) as caught:
        await throttle.acquire("c1")
    assert caught.value.after_seconds is not None and caught.value.after_seconds > 2.0


async def test_throttle_keeps_the_app_under_50_per_second_in_a_tenant() -> None:
    clock = FakeTime()
    throttle = on(clock, pacer=Pacer(wall=clock, sleep=clock.sleep))
    for n in range(41):  # 40 a second, not 50: room for the time between a slot and reaching Teams
        await throttle.acquire(f"c{n}", "tenant-a")
    assert clock.now - 1000.0 == pytest.approx(1.0)  # the 41st conversation a second after the first
    await throttle.acquire("c-new", "tenant-b")
    assert clock.now - 1000.0 == pytest.approx(1.0)  # another tenant has its own allowance


async def test_a_429_holds_a_busy_conversation_and_pauses_the_tenant_otherwise(store: Store) -> None:
    clock = FakeTime()

    def process() -> ConversationThrottle:  # its own memory, the database shared
        return on(clock, pacer=Pacer(store, wall=clock, sleep=clock.sleep))

    first, second, third = process(), process(), process()
    for _ in range(4):
        await first.acquire("busy", "tenant-a")
    assert not await first.refused("busy", "tenant-a", 30)  # 4 in a second: its own windows explain it
    assert first.wait_needed("busy") > 29
    await second.acquire("other", "tenant-a")  # the tenant goes on, in every process
    assert await first.refused("quiet", "tenant-a", 30)  # nothing sent there lately: the tenant's limit
    with pytest.raises(RetryLater) as caught:
        await third.acquire("another", "tenant-a")  # another process is told at once, by the database
    assert caught.value.paced and caught.value.after_seconds is not None and caught.value.after_seconds > 29
    await third.acquire("another", "tenant-b")  # and another tenant is not paused


async def test_a_send_counts_from_its_answer_so_sends_that_bunch_up_on_the_way_still_fit() -> None:
    clock = FakeTime()
    throttle = on(clock, max_wait=2.0)
    taken = [await throttle.acquire("c1") for _ in range(7)]
    clock.now = 0.5  # the answers came back half a second later: Teams may have counted them then
    for at in taken:
        throttle.settled("c1", None, at)
    clock.now = 0.6
    assert throttle.wait_needed("c1") == pytest.approx(0.9)  # 1 s after the answers, not after the slots


async def test_a_429_holds_its_conversation_alone() -> None:
    clock = FakeTime()
    throttle = on(clock, max_wait=2.0)
    throttle.hold("c1", 5.0)
    assert throttle.wait_needed("c1") == pytest.approx(5.0)
    assert throttle.wait_needed("c2") == 0.0
    with pytest.raises(RetryLater):
        await throttle.acquire("c1")


async def test_throttle_forgets_conversations_once_their_windows_have_passed() -> None:
    clock = FakeTime()
    throttle = on(clock)
    for n in range(200):
        clock.now += 0.1
        await throttle.acquire(f"c{n}", "tenant-a")
    assert len(throttle) == 200
    clock.now += 3_601
    await throttle.acquire("later", "tenant-a")
    assert len(throttle) == 1  # memory follows recent traffic, not every conversation ever seen


def outgoing(teams: Teams, user: str = "bob", **extra: Any) -> Outgoing:
    address = conversation_reference(teams.personal("hi", user=user))
    return Outgoing(address=address, message=text_message("Hello **Bob**"), idempotency_key="k", **extra)


def sender_of(runtime: Runtime, throttle: ConversationThrottle) -> TeamsSender:
    sender = runtime.dispatcher.senders["teams"]
    assert isinstance(sender, TeamsSender)
    sender.throttle = throttle
    return sender


async def test_connector_429_becomes_retry_later_with_retry_after(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    # Let the connector enforce the limits (7 a second; this throttle would let 8 go); never wait here.
    sender = sender_of(teams_runtime, ConversationThrottle(limits=((1.0, 8),), max_wait=0.0))
    for _ in range(7):
        await sender.send(outgoing(teams))
    with pytest.raises(RetryLater) as caught:
        await sender.send(outgoing(teams))
    assert caught.value.after_seconds is not None and caught.value.after_seconds >= 1
    assert caught.value.throttled and caught.value.conversation_only  # Teams' other conversations go on
    assert len(bf.calls) == 7
    await sender.send(outgoing(teams, user="carol"))  # another conversation is not held
    with pytest.raises(RetryLater):  # this one is, by this process, without asking the connector again
        await sender.send(outgoing(teams))
    assert len(bf.calls) == 8 and bf.throttled == 1


async def test_own_throttle_stops_before_the_connector_refuses(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    sender = sender_of(teams_runtime, ConversationThrottle(max_wait=0.0))
    for _ in range(7):
        await sender.send(outgoing(teams))
    with pytest.raises(RetryLater):
        await sender.send(outgoing(teams))
    assert len(bf.calls) == 7  # the 8th never reached the connector


async def test_the_sender_paces_each_tenant_across_conversations(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    sender = sender_of(teams_runtime, ConversationThrottle(tenant_rate=2.0, max_wait=0.0))
    await sender.send(outgoing(teams, user="person0"))
    with pytest.raises(RetryLater) as caught:
        await sender.send(outgoing(teams, user="person1"))  # another conversation, the same tenant
    assert caught.value.paced and not caught.value.throttled  # not one of the row's attempts
    assert len(bf.calls) == 1 and bf.throttled == 0  # refused here, before the connector had to


async def test_the_connector_refuses_the_51st_in_a_second_when_nothing_paces_it(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    bf.app_limits = ((60.0, 50),)  # 50 per 60 s: the 51st is refused however slowly this machine sends
    sender = sender_of(teams_runtime, ConversationThrottle(tenant_rate=1000.0))
    await sender.send(outgoing(teams))
    results = await asyncio.gather(
        *(sender.send(outgoing(teams, user=f"person{n}")) for n in range(60)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, RetryLater)]
    throttled = [r for r in refused if r.throttled]  # the rest waited for the pause the first 429 set
    assert throttled and bf.throttled == len(throttled) and len(bf.calls) == 61 - len(refused)


async def test_update_and_thread_targets(teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime) -> None:
    sender = sender_of(teams_runtime, ConversationThrottle())
    first = await sender.send(outgoing(teams))
    sent = await sender.send(outgoing(teams, update_message_id=first.message_id))
    assert sent.message_id == first.message_id
    assert (bf.calls[-1].method, bf.calls[-1].activity_id) == ("PUT", first.message_id)
    with pytest.raises(PermanentFailure):  # Teams updates only what the bot sent there
        await sender.send(outgoing(teams, update_message_id="never-sent"))
    sent = await sender.send(outgoing(teams, thread_id="1700"))
    assert bf.calls[-1].conversation_id == "a:personal-bob;messageid=1700"
    assert sent.thread_id == "1700"


async def test_gone_conversation_and_missing_address_are_unreachable(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    sender = sender_of(teams_runtime, ConversationThrottle())
    bf.gone.add("a:personal-bob")
    with pytest.raises(Unreachable):
        await sender.send(outgoing(teams))
    with pytest.raises(Unreachable):
        await sender.send(Outgoing(address={}, message=text_message("x"), idempotency_key="k2"))
