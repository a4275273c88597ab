"""A drill in the local web chat, over its WebSocket: started, listed and stopped by an admin."""

from __future__ import annotations

from tests.local.conftest import client  # noqa: F401
from tests.local.helpers import Client, Tab


async def test_drill_in_the_local_chat(client: Client) -> None:  # noqa: F811
    ada = await Tab.open(client, "ada@example.com")
    await ada.send(type="say", text="drill assistant 2 days")
    started = await ada.entry_containing("DRILL-1")
    assert "stands in" in started["html"]
    await ada.send(type="say", text="drill")
    await ada.entry_containing("runs until")
    await ada.send(type="say", text="drill stop assistant")
    report = await ada.entry_containing("Handover drill report")
    assert "stopped early" in report["html"]
    await ada.close()
