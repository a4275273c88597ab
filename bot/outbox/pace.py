"""Sending at the platform's pace, shared by every process through the database.

A quota is one platform limit: a method in a workspace (Slack's tiers, chat.postMessage's workspace-wide
limit) or an app in a tenant (Teams). Its schedule is one row (`SendPace`): the next free slot and the
rate now. A process reserves a few slots at a time (about half a second's worth) in one short unit of
work (`next_at` moves on by n/rate) and sends at those moments, so processes together stay within the
quota without asking the database per send, and without refusals to learn from.

A refusal (HTTP 429 with Retry-After) moves `next_at` past the pause for every process and lowers the
rate to 80% of the rate that was refused; it climbs back by a tenth of the configured rate per minute
without a refusal. Retry-After is capped (`MAX_PAUSE`): a platform or proxy answering an absurd value
must not stop a deployment for days.

A caller that must not be held long (an outbox send, a reply in a turn) gives `max_wait`: a next moment
further off than that (a pause, a long queue) raises `RetryLater(paced=True)` and reserves nothing. A
reserved moment left unused for longer than a reservation lasts is dropped: used late, it would bunch up
with the moments after it and overshoot the platform's window.

Why a small table and not pyrate-limiter's PostgreSQL bucket: its bucket keeps one row per request in a
table per bucket (a DELETE of expired rows and a COUNT per acquire), needs its own psycopg pool beside
the store's, has no SQLite backend (a single-process deployment would need a second code path), and
knows nothing of pauses: a 429's Retry-After and the slower restart would still be ours to write. A
schedule row per quota is one UPDATE per reservation on both databases.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.metrics import QUOTA_PAUSED, QUOTA_SENDS, QUOTA_WAIT
from bot.outbox.models import SendPace
from bot.ports import RetryLater
from bot.store.db import Store

log = logging.getLogger(__name__)

MAX_PAUSE = 300.0  # seconds: the longest Retry-After obeyed (a longer one is read as this)
SLOWER = 0.8  # after a refusal, resume at this share of the rate that was refused
RECOVERY_PER_MINUTE = 0.1  # share of the configured rate regained per minute without a refusal
RESERVE_SECONDS = 0.5  # a reservation holds about this much sending


@dataclass(frozen=True)
class Quota:
    """A platform limit: `key` names it (platform:workspace:method), `rate` is sends per second."""

    key: str
    rate: float

    def __post_init__(self) -> None:
        if self.rate <= 0:
            raise ValueError(f"quota {self.key}: the rate must be positive")


def retry_after_seconds(value: object, *, default: float = 1.0) -> float:
    """A Retry-After value as seconds within [0, MAX_PAUSE]; nonsense (negative, NaN, a date we cannot
    read) is `default`."""
    try:
        seconds = float(str(value).strip())
    except (TypeError, ValueError):
        return default
    if math.isnan(seconds) or seconds < 0:
        return default
    return min(seconds, MAX_PAUSE)


class Pacer:
    """Hands out send moments per quota. With a store, the schedule is shared by every process; without
    one (tests of a sender alone), it is this process's own."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        reserve_seconds: float = RESERVE_SECONDS,
    ) -> None:
        self.store = store
        self.wall = wall
        self.sleep = sleep
        self.reserve_seconds = reserve_seconds
        self._slots: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._local: dict[str, tuple[float, float, float | None]] = {}  # without a store: next, rate, refused
        self._not_before: dict[str, float] = {}  # quota -> no moment before this, as last learned

    async def acquire(self, quota: Quota, *, max_wait: float | None = None) -> None:
        """Wait for this process's next moment to send under `quota`; with `max_wait`, raise
        `RetryLater(paced=True)` instead when that moment is further off."""
        lock = self._locks.setdefault(quota.key, asyncio.Lock())
        async with lock:
            slots = self._slots.setdefault(quota.key, deque())
            while slots and slots[0] < self.wall() - self.reserve_seconds:
                slots.popleft()  # unused too long: sent now, it would bunch up with the later moments
            if not slots:
                self._too_far(quota, self._not_before.get(quota.key, 0.0), max_wait)  # no database
                start, reserved = await self._reserve(quota, max_wait=max_wait)
                if not reserved:
                    self._not_before[quota.key] = start
                    self._too_far(quota, start, max_wait)
                slots.extend(reserved)
            at = slots.popleft()
        platform, _, method = _parts(quota.key)
        QUOTA_SENDS.labels(platform, method).inc()
        wait = at - self.wall()
        if wait > 0:
            QUOTA_WAIT.labels(quota.key.split(":", 1)[0]).observe(wait)
            await self.sleep(wait)

    async def refused(self, quota: Quota, retry_after: float | None) -> float:
        """The platform answered 429: pause `quota` for every process and slow it down. Returns the
        pause in seconds (capped)."""
        pause = retry_after_seconds(retry_after if retry_after is not None else 1.0)
        self._slots.pop(quota.key, None)  # what this process had reserved is void
        self._not_before[quota.key] = self.wall() + pause
        QUOTA_PAUSED.labels(quota.key.split(":", 1)[0]).inc()
        log.warning("%s refused (429): pausing every process for %.0f s, then %d%% of the rate",
                    quota.key, pause, SLOWER * 100)  # fmt: skip
        now = self.wall()
        if self.store is None:
            next_at, rate, _ = self._local.get(quota.key, (now, quota.rate, None))
            resume = max(next_at, now + pause)
            self._local[quota.key] = (resume, max(rate * SLOWER, quota.rate / 100), resume)
            return pause
        await self.store.run(lambda session: _refuse(session, quota, now=now, pause=pause))
        return pause

    def _too_far(self, quota: Quota, start: float, max_wait: float | None) -> None:
        wait = start - self.wall()
        if max_wait is not None and wait > max_wait:
            raise RetryLater(f"{quota.key}: next moment in {wait:.1f} s", after_seconds=wait, paced=True)

    async def _reserve(self, quota: Quota, *, max_wait: float | None) -> tuple[float, list[float]]:
        """The first moment free, and the moments reserved from it (none if it is over `max_wait` away)."""
        now = self.wall()
        latest = None if max_wait is None else now + max_wait
        if self.store is None:
            next_at, rate, refused = self._local.get(quota.key, (now, quota.rate, None))
            rate = _recovered(quota, rate, refused, now)
            start, n, rate = _slots_from(max(next_at, now), rate, self.reserve_seconds)
            if latest is not None and start > latest:
                return start, []
            self._local[quota.key] = (start + n / rate, rate, refused)
            return start, [start + i / rate for i in range(n)]
        start, n, rate = await self.store.run(
            lambda session: _reserve(session, quota, now=now, seconds=self.reserve_seconds, latest=latest)
        )
        return start, [start + i / rate for i in range(n)]


def _parts(key: str) -> tuple[str, str, str]:
    """platform, workspace, method of a quota key."""
    platform, _, rest = key.partition(":")
    workspace, _, method = rest.rpartition(":")
    return platform, workspace, method


def rates(*, session: Session) -> dict[tuple[str, str], float]:
    """(platform, method) -> calls per second allowed now, the lowest over workspaces (for /metrics)."""
    found: dict[tuple[str, str], float] = {}
    for key, rate in session.exec(select(SendPace.key, SendPace.rate)).all():
        platform, _, method = _parts(key)
        found[(platform, method)] = min(rate, found.get((platform, method), rate))
    return found


def _slots_from(start: float, rate: float, seconds: float) -> tuple[float, int, float]:
    return start, max(1, int(rate * seconds)), rate


def _recovered(quota: Quota, rate: float, refused: float | None, now: float) -> float:
    if refused is None or rate >= quota.rate:
        return quota.rate
    minutes = max(0.0, now - refused) / 60
    return min(quota.rate, rate + quota.rate * RECOVERY_PER_MINUTE * minutes)


def _row(session: Session, quota: Quota, now: float) -> SendPace:
    query = select(SendPace).where(SendPace.key == quota.key)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(SendPace(key=quota.key, next_at=_moment(now), rate=quota.rate))
        except IntegrityError:  # another process made it first
            pass
        row = session.exec(query).one()
    return row


def _reserve(
    session: Session, quota: Quota, *, now: float, seconds: float, latest: float | None = None
) -> tuple[float, int, float]:
    row = _row(session, quota, now)
    refused = row.refused_at.timestamp() if row.refused_at else None
    rate = _recovered(quota, row.rate, refused, now)
    start, n, rate = _slots_from(max(row.next_at.timestamp(), now), rate, seconds)
    if latest is not None and start > latest:
        return start, 0, rate  # too far off for this caller: nothing reserved
    row.next_at = _moment(start + n / rate)
    row.rate = rate
    if rate >= quota.rate:
        row.refused_at = None
    return start, n, rate


def _refuse(session: Session, quota: Quota, *, now: float, pause: float) -> None:
    row = _row(session, quota, now)
    # Every send in flight during a pause comes back refused: one storm slows the rate once.
    same_storm = row.refused_at is not None and row.next_at.timestamp() > now
    row.next_at = max(row.next_at, _moment(now + pause))
    if not same_storm:
        row.rate = max(row.rate * SLOWER, quota.rate / 100)
    row.refused_at = max(row.next_at, _moment(now + pause))  # the rate climbs back from when it resumes


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
