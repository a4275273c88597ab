"""Teams' per-tenant limit shared by every process (`send_pace`), and a card action's reply paced like any
other send. Real time against the fake connector, which enforces Teams' 50 a second per tenant."""

from __future__ import annotations

import asyncio

from sqlmodel import Session, col, select

from adapters.runtime import Runtime
from adapters.teams.sender import TeamsSender
from adapters.teams.throttle import ConversationThrottle, tenant_quota
from adapters.teams.translate import conversation_reference
from bot.messages import text_message
from bot.outbox.models import OutboxMessage
from bot.outbox.pace import Pacer
from bot.ports import Outgoing, RetryLater
from bot.store.db import Store
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import TENANT, Teams

PEOPLE = 50  # per process: together twice the tenant's pace for the fake's second, were each alone
IN_FLIGHT = 8  # sends under way at once in each process, as the dispatcher's workers would have


async def test_two_processes_together_stay_within_the_tenants_limit(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime, store: Store, database_url: str
) -> None:
    sender = teams_runtime.dispatcher.senders["teams"]
    assert isinstance(sender, TeamsSender)
    other_store = Store(database_url)  # the other process: its own connections and memory
    try:
        processes = [
            TeamsSender(adapter=sender.adapter, app_id=sender.app_id, throttle=throttle)
            for throttle in (
                ConversationThrottle(pacer=Pacer(store)),
                ConversationThrottle(pacer=Pacer(other_store)),
            )
        ]

        async def deliver(process: TeamsSender, user: str) -> None:
            address = conversation_reference(teams.personal("hi", user=user))
            outgoing = Outgoing(address=address, message=text_message("Hello"), idempotency_key=user)
            while True:
                try:
                    await process.send(outgoing)
                    return
                except RetryLater as later:  # as the outbox would: again once the pace has room
                    assert later.paced, later
                    await asyncio.sleep(later.after_seconds or 0.1)

        async def run(n: int, process: TeamsSender) -> None:
            room = asyncio.Semaphore(IN_FLIGHT)

            async def one(user: str) -> None:
                async with room:
                    await deliver(process, user)

            await asyncio.gather(*(one(f"p{n}-{i}") for i in range(PEOPLE)))

        await asyncio.gather(*(run(n, process) for n, process in enumerate(processes)))
    finally:
        other_store.close()
    assert len({c.conversation_id for c in bf.calls}) == 2 * PEOPLE
    assert bf.throttled_tenant == 0  # one tenant's 40 a second between them, not 40 each


async def test_a_card_actions_reply_waits_for_the_tenants_pace(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime
) -> None:
    await teams.post(teams.personal("hi"))
    bf.calls.clear()
    await teams_runtime.pacer.refused(tenant_quota(TENANT), 60)  # another process was told to wait
    click = {"action": {"type": "Action.Execute", "verb": "help.show"}}
    assert (await teams.post(teams.invoke("adaptiveCard/action", click))).status == 200
    assert bf.calls == []  # nothing reached Teams during the tenant's pause, and the invoke did not wait

    def later(session: Session) -> list[OutboxMessage]:
        query = select(OutboxMessage).where(col(OutboxMessage.idempotency_key).startswith("reply:teams:"))
        return list(session.exec(query).all())

    (row,) = teams_runtime.store.run_sync(later)  # it goes through the outbox, sent after the pause
    assert row.address["conversation"]["id"] == "a:personal-ada"
