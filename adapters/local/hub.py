"""The in-memory switchboard of the local chat: conversations by address key, and who is watching.

Every message posted to a conversation is kept (a bounded history for this process) and handed to
each subscriber watching that key: a browser tab or the terminal. Subscribers are called
synchronously and must not block; a web tab only queues the entry for its own writer task, which
keeps the order of frames per tab.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import secrets
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from bot.messages import Message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One message in a conversation: from the bot (`message`) or typed by a person (`text`)."""

    id: str
    author: str
    message: Message | None = None
    text: str | None = None
    author_email: str | None = None  # the person who typed it; None for the bot
    thread_id: str | None = None
    ephemeral: bool = False

    @property
    def from_bot(self) -> bool:
        return self.author_email is None


class Subscriber(Protocol):
    def deliver(self, entry: Entry, *, replaced: bool) -> None: ...


class Hub:
    def __init__(self, *, history_limit: int = 500) -> None:
        self._prefix = secrets.token_hex(3)  # ids stay unique across restarts in the outbox's records
        self._ids = itertools.count(1)
        self._history: dict[str, deque[Entry]] = {}
        self._subscribers: dict[str, list[Subscriber]] = {}
        self._viewers: dict[str, dict[int, str]] = {}  # key -> id(subscriber) -> the viewer's email
        self._limit = history_limit

    def new_id(self) -> str:
        return f"{self._prefix}-{next(self._ids)}"

    def subscribe(self, key: str, subscriber: Subscriber, *, email: str | None = None) -> list[Entry]:
        """Start watching `key` (as `email`, when a person watches); returns the history so far
        (nothing posted can fall in between)."""
        self._subscribers.setdefault(key, []).append(subscriber)
        if email:
            self._viewers.setdefault(key, {})[id(subscriber)] = email
        return self.history(key)

    def unsubscribe(self, key: str, subscriber: Subscriber) -> None:
        watching = self._subscribers.get(key, [])
        if subscriber in watching:
            watching.remove(subscriber)
        self._viewers.get(key, {}).pop(id(subscriber), None)

    def members(self, key: str) -> list[str]:
        """The emails of the people who posted in `key` or watch it now, first seen first."""
        posters = (e.author_email for e in self._history.get(key, ()) if e.author_email)
        found = dict.fromkeys((*posters, *self._viewers.get(key, {}).values()))
        return list(found)

    def watching(self, key: str) -> int:
        return len(self._subscribers.get(key, []))

    def history(self, key: str) -> list[Entry]:
        return list(self._history.get(key, ()))

    def find(self, key: str, entry_id: str) -> Entry | None:
        return next((e for e in self._history.get(key, ()) if e.id == entry_id), None)

    def post(self, key: str, entry: Entry) -> Entry:
        self._history.setdefault(key, deque(maxlen=self._limit)).append(entry)
        self._fan_out(key, entry, replaced=False)
        return entry

    def replace(self, key: str, entry_id: str, entry: Entry) -> Entry:
        """Put `entry` in place of message `entry_id` (keeping its id and thread); post it if unknown."""
        history = self._history.get(key)
        if history is not None:
            for index, old in enumerate(history):
                if old.id == entry_id:
                    new = dataclasses.replace(entry, id=old.id, thread_id=old.thread_id)
                    history[index] = new
                    self._fan_out(key, new, replaced=True)
                    return new
        return self.post(key, entry)

    def _fan_out(self, key: str, entry: Entry, *, replaced: bool) -> None:
        for subscriber in list(self._subscribers.get(key, [])):
            try:
                subscriber.deliver(entry, replaced=replaced)
            except Exception:
                log.warning("a local chat subscriber failed; dropping it", exc_info=True)
                self.unsubscribe(key, subscriber)
