from __future__ import annotations

import pytest

from adapters.local.hub import Entry, Hub
from adapters.local.identity import BadAddress, address_key, display_name
from adapters.local.sender import LocalSender
from bot.messages import text_message
from bot.ports import FixedClock, Outgoing, PermanentFailure
from bot.store.db import Store


@pytest.fixture
def hub(store: Store, clock: FixedClock) -> Hub:
    return Hub(store=store, clock=clock)


class Recorder:
    def __init__(self) -> None:
        self.got: list[tuple[Entry, bool]] = []

    def show_entry(self, entry: Entry, *, replaced: bool) -> None:
        self.got.append((entry, replaced))


def outgoing(
    address: dict[str, str], text: str, *, thread_id: str | None = None, update_message_id: str | None = None
) -> Outgoing:
    return Outgoing(
        address=address,
        message=text_message(text),
        idempotency_key=f"k:{text}",
        thread_id=thread_id,
        update_message_id=update_message_id,
    )


async def test_kept_for_later_when_nobody_is_connected(hub: Hub, store: Store, clock: FixedClock) -> None:
    sent = await LocalSender(hub).send(outgoing({"user": "uma@example.com"}, "hello"))
    history = await hub.history("user:uma@example.com")
    assert [e.id for e in history] == [sent.message_id]
    after_a_restart = Hub(store=store, clock=clock)
    assert await after_a_restart.history("user:uma@example.com") == history
    assert sent.thread_id == sent.message_id  # a top-level message starts its own thread


async def test_live_delivery_update_and_thread(hub: Hub) -> None:
    sender = LocalSender(hub)
    watcher = Recorder()
    hub.subscribe("channel:esc-assistant", watcher)
    first = await sender.send(outgoing({"channel": "esc-assistant"}, "first"))
    reply = await sender.send(outgoing({"channel": "esc-assistant"}, "in thread", thread_id=first.message_id))
    updated = await sender.send(
        outgoing({"channel": "esc-assistant"}, "first, edited", update_message_id=first.message_id)
    )
    assert reply.thread_id == first.message_id
    assert updated.message_id == first.message_id
    entries = [(e.message.summary if e.message else "", e.thread_id, replaced) for e, replaced in watcher.got]
    assert entries == [
        ("first", None, False),
        ("in thread", first.message_id, False),
        ("first, edited", None, True),
    ]
    assert len(await hub.history("channel:esc-assistant")) == 2


async def test_unknown_update_target_is_posted(hub: Hub) -> None:
    sent = await LocalSender(hub).send(outgoing({"user": "a@example.com"}, "x", update_message_id="gone-1"))
    assert await hub.find("user:a@example.com", sent.message_id) is not None


@pytest.mark.parametrize("address", [{}, {"user": "not an email"}, {"channel": "Bad Name!"}, {"conv": "x"}])
async def test_bad_addresses_fail_permanently(address: dict[str, str], hub: Hub) -> None:
    with pytest.raises(PermanentFailure):
        await LocalSender(hub).send(outgoing(address, "x"))
    with pytest.raises(BadAddress):
        address_key(address)


async def test_a_failing_subscriber_is_dropped(hub: Hub) -> None:
    class Broken:
        def show_entry(self, entry: Entry, *, replaced: bool) -> None:
            raise RuntimeError("tab went away")

    hub.subscribe("user:a@example.com", Broken())
    await hub.post("user:a@example.com", Entry(id="1", author="x", text="hi", author_email="a@example.com"))
    assert hub.watching("user:a@example.com") == 0


def test_display_names() -> None:
    assert display_name("ada@example.com") == "Ada"
    assert display_name("jane.doe-smith@example.com") == "Jane Doe Smith"
    assert display_name("x@example.com", "  Typed Name ") == "Typed Name"
