"""Built dashboard pages kept for a short while, so a page looked at again (or by a colleague) is not
worked out again from a year of rows.

A page is kept under what it shows (its name, the systems, the period asked for, the viewer's scope) with
the store's count of committed writes when it was built. It is fresh while nothing was written in this
process since and `ttl` has not passed. After a write it is still shown while younger than `ttl` (`last`),
and a fresh one is built beside it for the next look: a deployment in use writes all day (every message
records usage), so a page rebuilt on every write would make each viewer wait for a year of rows. The TTL
also bounds what another process wrote (PostgreSQL with several), which this one cannot count; a page is
at most that old, and says when it was worked out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")
TTL = timedelta(minutes=2)
SIZE = 64  # a year's page is up to a few hundred kB: a few dozen stay well under the process's budget


@dataclass(frozen=True)
class Kept(Generic[T]):
    value: T
    version: int
    built_at: datetime


class PageCache(Generic[T]):
    def __init__(self, *, ttl: timedelta = TTL, size: int = SIZE) -> None:
        self._ttl = ttl
        self._size = size
        self._kept: OrderedDict[Hashable, Kept[T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, *, version: int, now: datetime) -> Kept[T] | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            if not kept.built_at <= now < kept.built_at + self._ttl:
                del self._kept[key]
                return None
            if kept.version != version:
                return None  # written since: `last` may still show it while a fresh one is built
            self._kept.move_to_end(key)
            return kept

    def last(self, key: Hashable, *, now: datetime) -> Kept[T] | None:
        """The page kept under `key` whatever was written since, while younger than `ttl`."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or not kept.built_at <= now < kept.built_at + self._ttl:
                return None
            self._kept.move_to_end(key)
            return kept

    def put(self, key: Hashable, value: T, *, version: int, built_at: datetime) -> None:
        """`version` as read before the page was built: a write during the build makes it stale at once."""
        with self._lock:
            self._kept[key] = Kept(value, version, built_at)
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
