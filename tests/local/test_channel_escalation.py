"""An owners' escalation channel in the local chat: a flag's card arrives in the channel, the owner
answers in its thread, and the answer reaches the person who flagged it."""

from __future__ import annotations

import asyncio

from sqlmodel import Session, select

from adapters.runtime import Runtime
from bot.outbox.models import OutboxMessage
from tests.local.helpers import HANG_GUARD, Client, Tab

OUTPUT = "The assistant said our refund window is 90 days"
ANSWER = "It is 30 days; the policy page was out of date."


async def test_flag_card_thread_answer(client: Client, runtime: Runtime) -> None:
    owner = await Tab.open(client, "omar@example.com", channel="esc-assistant")
    uma = await Tab.open(client, "uma@example.com")
    await uma.send(type="say", text=f"flag {OUTPUT}")
    form = await uma.until(lambda f: f["type"] == "form")
    values = {"output": OUTPUT, "reason": "wrong", "system": "assistant", "expected": "30 days"}
    await uma.send(type="submit", form_id=form["form_id"], values=values)
    await uma.until(lambda f: f["type"] == "form_close")

    await runtime.dispatcher.drain()
    card = await owner.until(lambda f: f["type"] == "entry" and f["from_bot"] and OUTPUT in f["html"])
    assert "Reply in thread" in card["html"]
    await recorded(runtime, card["id"])  # the bot links a thread reply to the card by this record
    await owner.send(type="say", text=ANSWER, thread_id=card["id"])
    mine = await owner.until(lambda f: f["type"] == "entry" and f["mine"])
    assert mine["thread_id"] == card["id"]
    await owner.until(lambda f: f["type"] == "entry" and f["from_bot"])  # the engine has taken the answer

    await runtime.dispatcher.drain()
    answer = await uma.until(lambda f: f["type"] == "entry" and f["from_bot"] and ANSWER in f["html"])
    assert not answer["ephemeral"]
    updated = await owner.until(lambda f: f["type"] == "entry" and f["id"] == card["id"])
    assert updated["replaced"] and ANSWER in updated["html"]  # the card shows the answer in place


async def recorded(runtime: Runtime, message_id: str) -> None:
    """Wait until the dispatcher has recorded a sent message's id (it does so just after sending)."""

    def sent(session: Session) -> bool:
        query = select(OutboxMessage).where(OutboxMessage.platform_message_id == message_id)
        return session.exec(query).first() is not None

    async with asyncio.timeout(HANG_GUARD):
        while True:
            if await runtime.store.run(sent):
                return
            await asyncio.sleep(0.02)
