"""Teams' send limits, as sliding windows: per conversation, and per app in each tenant.

Teams allows a bot, per conversation, 7 messages per second, 8 per 2 s, 60 per 30 s and 1,800 per
hour, and an app about 50 requests per second in each tenant. A short wait is taken in place; a long
one becomes `RetryLater` so the outbox row is retried later instead of holding a dispatcher worker.
Windows with nothing left in them are dropped, so memory follows recent traffic, not every
conversation ever seen.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from bot.ports import RetryLater

Limits = tuple[tuple[float, int], ...]  # (window seconds, messages allowed in it)
TEAMS_LIMITS: Limits = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
# Documented as about 50 per second; 40 leaves room for the time between taking a slot here and the
# request reaching Teams, which varies when many sends start together.
TENANT_LIMITS: Limits = ((1.0, 40),)
SWEEP_EVERY = 300.0  # seconds


class ConversationThrottle:
    def __init__(
        self,
        *,
        limits: Limits = TEAMS_LIMITS,
        tenant_limits: Limits = TENANT_LIMITS,
        max_wait: float = 2.0,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits
        self.tenant_limits = tenant_limits
        self.max_wait = max_wait
        self._now = now
        self._sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._swept_at = now()

    def wait_needed(self, conversation_id: str, tenant_id: str | None = None) -> float:
        """Seconds until one more message fits every window for this conversation and its tenant."""
        return max(self._wait(key, limits) for key, limits in self._windows(conversation_id, tenant_id))

    async def acquire(self, conversation_id: str, tenant_id: str | None = None) -> None:
        # Checked again after every sleep: others may have taken the room meanwhile. The check and
        # the append have no await between them, so concurrent senders cannot overshoot together.
        while (wait := self.wait_needed(conversation_id, tenant_id)) > 0:
            if wait > self.max_wait:
                raise RetryLater(f"Teams send limit reached for {conversation_id}", after_seconds=wait)
            await self._sleep(wait)
        now = self._now()
        for key, limits in self._windows(conversation_id, tenant_id):
            if limits:
                self._sent.setdefault(key, deque()).append(now)
        if now - self._swept_at > SWEEP_EVERY:
            self._sweep(now)

    def _windows(self, conversation_id: str, tenant_id: str | None) -> tuple[tuple[str, Limits], ...]:
        """Each key a send counts against, with its limits."""
        return ((conversation_id, self.limits), (f"tenant:{tenant_id or '?'}", self.tenant_limits))

    def _sweep(self, now: float) -> None:
        """Forget conversations whose last message is older than the longest window."""
        horizon = max((window for window, _ in (*self.limits, *self.tenant_limits)), default=0.0)
        for key in [k for k, sent in self._sent.items() if not sent or sent[-1] <= now - horizon]:
            del self._sent[key]
        self._swept_at = now

    def __len__(self) -> int:
        """Conversations and tenants with a window still open (for tests and curiosity)."""
        return len(self._sent)

    def _wait(self, key: str, limits: Limits) -> float:
        sent = self._sent.get(key)
        if not sent:
            return 0.0
        now = self._now()
        horizon = max(window for window, _ in limits) if limits else 0.0
        while sent and sent[0] <= now - horizon:
            sent.popleft()
        if not sent:
            del self._sent[key]
            return 0.0
        wait = 0.0
        for window, limit in limits:
            in_window = [t for t in sent if t > now - window]
            if len(in_window) >= limit:
                wait = max(wait, in_window[-limit] + window - now)
        return wait
