"""Per-process snapshots of small tables for listings: who may do what, asked on every `help`.

`help`, Home and typo suggestions list what a person may do, and every role-gated command's rule reads a
table (the role registry, running drills, who wrote an announcement) that changes a few times a week but
was read on every message: three queries that were most of a returning `help`'s cost. Inside `listing`,
those reads come from a snapshot kept per process under its name and the versions of the tables it read
(`Changes.version`): a write this process commits to one of them builds it afresh, and so does `MAX_AGE`
passing (another process's writes, which this one cannot count: a role given there shows in help here at
most that late). A handler deciding whether to let someone act is no listing and reads fresh, and so does
a unit of work that wrote (or is about to flush) a row of one of the tables itself: its write may yet roll
back, and must not be kept for others.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session

from bot.store.changes import Changes, wrote

T = TypeVar("T")
MAX_AGE = 5.0  # seconds: how late a listing may show another process's change of roles
OPTION = "coach_snapshots"  # the execution option that carries a store's snapshots to its sessions
LISTING = "coach_listing"  # session.info: a listing is being built


@dataclass(frozen=True)
class _Kept:
    value: Any
    version: tuple[int, ...]
    built_at: float


class Snapshots:
    def __init__(self, changes: Changes, *, max_age: float = MAX_AGE) -> None:
        self._changes = changes
        self._max_age = max_age
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()

    def get(self, name: str, tables: tuple[str, ...], build: Callable[[], T]) -> T:
        # Read before building: a write meanwhile makes it stale. A build between the count (SQLAlchemy's
        # commit event) and the database's commit on another thread may miss that write: MAX_AGE bounds it.
        version = self._changes.version(tables)
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(name)
        if kept is not None and kept.version == version and now - kept.built_at < self._max_age:
            value: T = kept.value
            return value
        value = build()
        with self._lock:
            self._kept[name] = _Kept(value, version, now)
        return value


@contextlib.contextmanager
def listing(session: Session) -> Iterator[None]:
    """Permission rules asked inside may answer from the process's snapshots (`shared`). A listing writes
    nothing, so each snapshot is looked up once in it: help asks ~30 rules, each cheaper than the look-up."""
    outer = session.info.get(LISTING)
    if outer is None:
        session.info[LISTING] = {}
    try:
        yield
    finally:
        if outer is None:
            session.info.pop(LISTING, None)


def shared(
    session: Session,
    *,
    name: str,
    tables: tuple[str, ...],
    build: Callable[[Session], T],
    only_grows: bool = False,
) -> T | None:
    """The snapshot `name` of `tables` (built by `build` when stale), or None when the caller must read
    fresh: outside a listing, in a session no store opened, or after this transaction wrote to `tables`.

    `only_grows`: rows of `tables` are only ever added (programme versions), so a snapshot that missed
    one only sends the caller to the database: any unit of work may use it, listing or not."""
    seen: dict[str, Any] | None = session.info.get(LISTING)
    if seen is not None and name in seen:
        found: T | None = seen[name]
        return found
    if seen is None and not only_grows:
        return None
    value = _look_up(session, name=name, tables=tables, build=build)
    if seen is not None:
        seen[name] = value
    return value


def _look_up(
    session: Session, *, name: str, tables: tuple[str, ...], build: Callable[[Session], T]
) -> T | None:
    snapshots: Snapshots | None = session.get_bind().get_execution_options().get(OPTION)
    if snapshots is None or _changing(session, tables) or wrote(session.connection(), tables):
        return None
    return snapshots.get(name, tables, lambda: build(session))


def _changing(session: Session, tables: tuple[str, ...]) -> bool:
    """Whether the session holds unflushed changes to rows of `tables` (a fresh read would flush them)."""
    pending = (*session.new, *session.dirty, *session.deleted)
    return any(getattr(type(row), "__tablename__", None) in tables for row in pending)
