"""A confirmation card in the local web chat, over its WebSocket: Not me settles it in place."""

from __future__ import annotations

from tests.local.conftest import client  # noqa: F401
from tests.local.helpers import Client, Tab, button


async def test_not_me_in_the_local_chat(client: Client) -> None:  # noqa: F811
    bea = await Tab.open(client, "bea@example.com")
    await bea.send(type="say", text="owners confirm assistant")
    card = await bea.entry_containing("Still right?")
    action_id, value = button(card, "Not me")
    await bea.send(type="click", action_id=action_id, value=value, message_id=card["id"])
    settled = await bea.until(lambda f: f.get("id") == card["id"] and "admins were told" in f.get("html", ""))
    assert "<button" not in settled["html"]  # the choice is made: its buttons are gone
    await bea.close()
