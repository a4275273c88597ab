"""The inbox: neutral events parked across a restart come back exactly, once each."""

from __future__ import annotations

import json

import pytest

from bot.events import (
    Actor,
    Clicked,
    Event,
    Opened,
    Place,
    Said,
    Shortcut,
    Submitted,
    dump_event,
    load_event,
)
from bot.inbox import service as inbox
from bot.ports import FixedClock
from bot.store.db import Store

BOB = Actor(
    platform="slack",
    workspace="T111",
    user_id="UBOB",
    display_name="Bob",
    email="bob@example.com",
    timezone="America/New_York",
    address={"team": "T111", "user": "UBOB"},
)
DM = Place(
    platform="slack", workspace="T111", channel_id="DUBOB", is_direct=True, address={"channel": "DUBOB"}
)
CHANNEL = Place(platform="slack", workspace="T111", channel_id="C1", is_direct=False, thread_id="171.2")
EVENTS: list[Event] = [
    Said(BOB, DM, "help", message_id="171.1", via="command", event_id="Ev1"),
    Clicked(BOB, CHANNEL, "escalation.answer", value="12", message_id="171.2"),
    Submitted(BOB, DM, "flag.form", {"output": "The contract <renews>", "system": "assistant"}, context="{}"),
    Shortcut(BOB, CHANNEL, "flag_output", message_text="It said 2027", message_link="https://x.test/1"),
    Opened(BOB, DM, surface="home", event_id="Ev5"),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_every_event_survives_its_json(event: Event) -> None:
    assert load_event(json.loads(json.dumps(dump_event(event)))) == event


def test_parked_events_are_taken_once_in_order_per_platform(store: Store, clock: FixedClock) -> None:
    assert not store.run_sync(lambda s: inbox.waiting(session=s, platform="slack"))
    parked = [inbox.Parked(event=e, reply={"n": n}) for n, e in enumerate(EVENTS)]
    store.run_sync(lambda s: inbox.park(session=s, platform="slack", parked=parked, now=clock.now()))
    store.run_sync(lambda s: inbox.park(session=s, platform="teams", parked=parked[:1], now=clock.now()))
    assert store.run_sync(lambda s: inbox.waiting(session=s, platform="slack"))

    first = store.run_sync(lambda s: inbox.take(session=s, platform="slack", limit=3))
    rest = store.run_sync(lambda s: inbox.take(session=s, platform="slack"))
    assert first + rest == parked
    assert store.run_sync(lambda s: inbox.take(session=s, platform="slack")) == []
    assert len(store.run_sync(lambda s: inbox.take(session=s, platform="teams"))) == 1
