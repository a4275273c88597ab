"""What a valid neutral event is: the types the engine and the store rely on, and a JSON round trip."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.events import Actor, Clicked, Event, Opened, Place, Said, Shortcut, Submitted, dump_event, load_event


def _text(value: Any, *, optional: bool = False) -> None:
    assert (optional and value is None) or isinstance(value, str), f"not text: {value!r}"


def assert_valid(event: Event | None) -> None:
    if event is None:
        return
    assert isinstance(event, Said | Clicked | Submitted | Shortcut | Opened)
    actor, place = event.actor, event.place
    assert isinstance(actor, Actor) and isinstance(place, Place)
    for value in (actor.workspace, actor.user_id, place.workspace, place.channel_id):
        _text(value)
    assert actor.user_id, "an event with nobody behind it"
    for value in (actor.display_name, actor.email, actor.timezone, place.thread_id, event.event_id):
        _text(value, optional=True)
    assert isinstance(place.is_direct, bool)
    assert isinstance(actor.address, Mapping) and isinstance(place.address, Mapping)
    if isinstance(event, Said):
        _text(event.text)
        _text(event.message_id, optional=True)
    elif isinstance(event, Clicked):
        _text(event.action_id)
        _text(event.value)
        _text(event.message_id, optional=True)
    elif isinstance(event, Submitted):
        _text(event.form_id)
        _text(event.context)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in event.values.items())
    elif isinstance(event, Shortcut):
        _text(event.shortcut_id)
        _text(event.message_text, optional=True)
        _text(event.message_link, optional=True)
        _text(event.message_author, optional=True)
    # Parked across a stop as JSON (bot.inbox): it must survive the trip.
    assert load_event(json.loads(json.dumps(dump_event(event)))) == event
