"""Teams' per-conversation send limits, as sliding windows.

Teams allows a bot, per conversation, 7 messages per second, 8 per 2 s, 60 per 30 s and 1,800 per
hour. A short wait is taken in place; a long one becomes `RetryLater` so the outbox row is retried later
instead of holding a dispatcher worker.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

from bot.ports import RetryLater

TEAMS_LIMITS: tuple[tuple[float, int], ...] = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))


class ConversationThrottle:
    def __init__(
        self,
        *,
        limits: tuple[tuple[float, int], ...] = TEAMS_LIMITS,
        max_wait: float = 2.0,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits
        self.max_wait = max_wait
        self._now = now
        self._sleep = sleep
        self._sent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._horizon = max((window for window, _ in limits), default=0.0)
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def wait_needed(self, conversation_id: str) -> float:
        """Seconds until one more message fits every window for this conversation."""
        now = self._now()
        sent = self._sent[conversation_id]
        while sent and sent[0] <= now - self._horizon:
            sent.popleft()
        wait = 0.0
        for window, limit in self.limits:
            in_window = [t for t in sent if t > now - window]
            if len(in_window) >= limit:
                wait = max(wait, in_window[-limit] + window - now)
        return wait

    async def acquire(self, conversation_id: str) -> None:
        # One waiter per conversation at a time, so concurrent outbox workers cannot overshoot together.
        async with self._locks[conversation_id]:
            wait = self.wait_needed(conversation_id)
            if wait > self.max_wait:
                raise RetryLater(
                    f"Teams conversation limit reached for {conversation_id}", after_seconds=wait
                )
            if wait > 0:
                await self._sleep(wait)
            self._sent[conversation_id].append(self._now())
