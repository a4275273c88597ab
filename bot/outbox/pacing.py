"""Client-side pacing: a token bucket per platform, so the outbox stays under a platform's rate."""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    def __init__(self, *, rate: float, burst: float | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate / 10)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)

    def penalise(self, seconds: float) -> None:
        """The platform said slow down: spend the next `seconds` worth of tokens now."""
        self._tokens -= seconds * self.rate
