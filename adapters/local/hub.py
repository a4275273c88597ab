"""The switchboard of the local chat: conversations by address key, their transcript, who is watching.

Every message posted to a conversation is kept in its transcript (bot.transcripts, in the database
through the Store: the newest 500 lines of each conversation survive a restart) and handed to each
subscriber watching that key: a browser tab or the terminal. Subscribers are called synchronously
and must not block; a web tab only queues the entry for its own writer task, which keeps the order
of frames per tab. Ephemeral entries never come here: they belong to the one client that acted.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import secrets
from dataclasses import dataclass
from typing import Protocol

from bot.messages import Message
from bot.ports import Clock
from bot.store.db import Store
from bot.transcripts import service as transcripts
from bot.transcripts.service import Line

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
    def show_entry(self, entry: Entry, *, replaced: bool) -> None: ...


class Hub:
    def __init__(self, *, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._prefix = secrets.token_hex(4)  # ids stay unique across restarts in transcripts and the outbox
        self._ids = itertools.count(1)
        self._subscribers: dict[str, list[Subscriber]] = {}
        self._viewers: dict[str, dict[int, str]] = {}  # key -> id(subscriber) -> the viewer's email

    def new_id(self) -> str:
        return f"{self._prefix}-{next(self._ids)}"

    def subscribe(self, key: str, subscriber: Subscriber, *, email: str | None = None) -> None:
        """Start watching `key` (as `email`, when a person watches). Read the `history` after this, so
        nothing posted can fall in between (an entry may then come both ways: same id)."""
        self._subscribers.setdefault(key, []).append(subscriber)
        if email:
            self._viewers.setdefault(key, {})[id(subscriber)] = email

    def unsubscribe(self, key: str, subscriber: Subscriber) -> None:
        watching = self._subscribers.get(key, [])
        if subscriber in watching:
            watching.remove(subscriber)
        self._viewers.get(key, {}).pop(id(subscriber), None)

    def watching(self, key: str) -> int:
        return len(self._subscribers.get(key, []))

    async def members(self, key: str) -> list[str]:
        """The emails of the people who posted in `key` or watch it now, first seen first."""
        posters = await self._store.read(lambda s: transcripts.posters(session=s, conversation=key))
        return list(dict.fromkeys((*posters, *self._viewers.get(key, {}).values())))

    async def history(self, key: str, *, limit: int = transcripts.KEEP) -> list[Entry]:
        lines = await self._store.read(lambda s: transcripts.recent(session=s, conversation=key, limit=limit))
        return [_entry(line) for line in lines]

    async def find(self, key: str, entry_id: str) -> Entry | None:
        line = await self._store.read(
            lambda s: transcripts.find(session=s, conversation=key, message_id=entry_id)
        )
        return _entry(line) if line is not None else None

    async def post(self, key: str, entry: Entry) -> Entry:
        line, now = _line(entry), self._clock.now()
        await self._store.run(lambda s: transcripts.append(session=s, conversation=key, line=line, now=now))
        self._fan_out(key, entry, replaced=False)
        return entry

    async def replace(self, key: str, entry_id: str, entry: Entry) -> Entry:
        """Put `entry` in place of message `entry_id` (keeping its id and thread); post it if unknown."""
        line = _line(entry)
        kept = await self._store.run(
            lambda s: transcripts.replace(session=s, conversation=key, message_id=entry_id, line=line)
        )
        if kept is None:
            return await self.post(key, entry)
        new = dataclasses.replace(entry, id=entry_id, thread_id=kept.thread_id)
        self._fan_out(key, new, replaced=True)
        return new

    def _fan_out(self, key: str, entry: Entry, *, replaced: bool) -> None:
        for subscriber in list(self._subscribers.get(key, [])):
            try:
                subscriber.show_entry(entry, replaced=replaced)
            except Exception:
                log.warning("a local chat subscriber failed; dropping it", exc_info=True)
                self.unsubscribe(key, subscriber)


def _line(entry: Entry) -> Line:
    return Line(
        message_id=entry.id,
        author=entry.author,
        message=entry.message,
        text=entry.text,
        author_email=entry.author_email,
        thread_id=entry.thread_id,
    )


def _entry(line: Line) -> Entry:
    return Entry(
        id=line.message_id,
        author=line.author,
        message=line.message,
        text=line.text,
        author_email=line.author_email,
        thread_id=line.thread_id,
    )
