"""Buttons in the local web chat, over its WebSocket: a preview is stepped through by clicking, each
choice replaces its message in place (its buttons gone), and a second click only tells the clicker."""

from __future__ import annotations

from adapters.runtime import Runtime
from tests.local.helpers import Client, Frame, Tab, button


def labels(frame: Frame) -> list[str]:
    import re

    return re.findall(r'data-action-id="[^"]*" data-value="[^"]*">([^<]*)</button>', frame["html"])


async def test_a_preview_is_stepped_through_by_clicking(client: Client, runtime: Runtime) -> None:
    ada = await Tab.open(client, "ada@example.com")  # an admin (COACH_ADMINS)
    await ada.send(type="say", text="preview")
    await runtime.dispatcher.drain()
    # The header and the eleven steps are separate outbox rows: on PostgreSQL they may arrive in any order.
    for text in ("Preview of Getting started with Compass", "Getting started with Compass · step 11 of 11"):
        if not any(f["type"] == "entry" and text in f["html"] for f in ada.seen):
            await ada.entry_containing(text)
    welcome = next(  # the preview's first step, not her own welcome
        f for f in ada.seen if f["type"] == "entry" and "Got it" in f["html"] and 'data-value="p' in f["html"]
    )
    assert labels(welcome) == ["Got it", "Snooze", "Stop these messages"]

    action_id, value = button(welcome, "Got it")
    await ada.send(type="click", action_id=action_id, value=value, message_id=welcome["id"])
    done = await ada.until(lambda f: f["type"] == "entry" and f["id"] == welcome["id"])
    assert done["replaced"] and not done["ephemeral"]  # the same message, updated in place
    assert "nice one, marked as done" in done["html"] and "Got it" not in labels(done)

    await ada.send(type="click", action_id=action_id, value=value, message_id=welcome["id"])
    note = await ada.entry_containing("Already recorded")
    assert note["ephemeral"] and note["id"] != welcome["id"] and "Got it" in note["html"]
    again = [f for f in ada.seen if f["type"] == "entry" and f["id"] == welcome["id"]][-1]
    assert again["html"] == done["html"]  # put right again, unchanged

    await ada.send(type="say", text="programme")
    progress = await ada.entry_containing("Previews")
    assert "you tried 1 of its 11 steps" in progress["html"]
    await ada.close()
