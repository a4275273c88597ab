"""Admins' reports asked for in a local chat channel arrive in their direct chat, not the channel."""

from __future__ import annotations

from adapters.runtime import Runtime
from tests.announcements.private_helpers import SECRET_EMAIL, announce_to_a_stranger
from tests.local.helpers import Client, Tab


async def test_the_csv_asked_for_in_a_channel_arrives_in_the_dm(client: Client, runtime: Runtime) -> None:
    dm = await Tab.open(client, "ada@example.com")
    await dm.entry_containing("Welcome")
    await announce_to_a_stranger(runtime)
    await runtime.run_due_work()
    channel = await Tab.open(client, "ada@example.com", channel="general")
    await channel.send(type="say", text="@coach announcement 1 csv")
    note = await channel.until(lambda f: f["type"] == "entry" and f["from_bot"])
    assert "sent you that in our direct chat" in note["html"] and note["ephemeral"]
    await runtime.dispatcher.drain()
    report = await dm.entry_containing("announcement-1.csv")
    assert SECRET_EMAIL in report["html"]

    onlooker = await client.ws_connect("/local/ws", params={"as": "uma@example.com", "channel": "general"})
    history = await onlooker.receive_json()
    assert history["type"] == "history"
    assert not [
        e for e in history["entries"] if SECRET_EMAIL in e["html"] or "I&#39;ve sent you" in e["html"]
    ]
    await onlooker.close()
