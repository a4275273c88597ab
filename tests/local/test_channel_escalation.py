"""An owners' escalation channel in the local chat: a flag's card arrives in the channel, the owner
answers in its thread, and the answer reaches the person who flagged it."""

from __future__ import annotations

from adapters.runtime import Runtime
from tests.local.helpers import Client, Tab

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
    try:
        card = await owner.until(lambda f: f["type"] == "entry" and f["from_bot"] and OUTPUT in f["html"])
    except TimeoutError:
        from bot.outbox.models import OutboxMessage
        from sqlmodel import select
        rows = await runtime.store.run(lambda s: [(r.idempotency_key, r.platform, r.address, r.state, r.next_attempt_at, r.last_error, r.attempts) for r in s.exec(select(OutboxMessage)).all()])
        for r in rows: print("ROW", r)
        print("NOW", runtime.clock.now())
        print("SEEN", [(f["type"], f.get("html", "")[:200]) for f in owner.seen])
        raise
    assert "Reply in thread" in card["html"]
    await owner.send(type="say", text=ANSWER, thread_id=card["id"])
    mine = await owner.until(lambda f: f["type"] == "entry" and f["mine"])
    assert mine["thread_id"] == card["id"]
    await owner.until(lambda f: f["type"] == "entry" and f["from_bot"])  # the engine has taken the answer

    await runtime.dispatcher.drain()
    answer = await uma.until(lambda f: f["type"] == "entry" and f["from_bot"] and ANSWER in f["html"])
    assert not answer["ephemeral"]
    updated = await owner.until(lambda f: f["type"] == "entry" and f["id"] == card["id"])
    assert updated["replaced"] and ANSWER in updated["html"]  # the card shows the answer in place
