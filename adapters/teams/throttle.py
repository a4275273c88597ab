"""Teams' send limits, as sliding windows: per conversation, and per app in each tenant.

Teams allows a bot, per conversation, 7 messages per second, 8 per 2 s, 60 per 30 s and 1,800 per
hour, and an app about 50 requests per second in each tenant. A short wait is taken in place; a long
one becomes `RetryLater` so the outbox row is retried later instead of holding a dispatcher worker.
Windows with nothing left in them are dropped, so memory follows recent traffic, not every
conversation ever seen.

Teams counts a message when it arrives, which is some time after its slot was taken here (more when the
machine is busy): a send is counted from when its slot was taken until it is `settled`, and from then on
at the moment its answer came back, which is no earlier than its arrival. So sends that bunch up on the
way still fit Teams' windows (counted at the slot alone, a busy test machine drew 429s from the fake). A
429 holds that conversation until its Retry-After (`hold`).
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

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
        self._sent: dict[str, list[float]] = {}  # per key, the moments its sends count from, in order
        self._held: dict[str, float] = {}  # conversation -> until when a 429 holds it
        self._swept_at = now()

    def wait_needed(self, conversation_id: str, tenant_id: str | None = None) -> float:
        """Seconds until one more message fits every window for this conversation and its tenant."""
        held = self._held.get(conversation_id, 0.0) - self._now()
        windows = (self._wait(key, limits) for key, limits in self._windows(conversation_id, tenant_id))
        return max(held, *windows)

    def hold(self, conversation_id: str, seconds: float) -> None:
        """Teams answered 429 for this conversation: nothing more goes to it for `seconds`."""
        until = self._now() + seconds
        self._held[conversation_id] = max(until, self._held.get(conversation_id, until))

    @asynccontextmanager
    async def slot(self, conversation_id: str, tenant_id: str | None = None) -> AsyncIterator[None]:
        """Take a slot for one request made inside the block; it is settled when the block ends."""
        taken = await self.acquire(conversation_id, tenant_id)
        try:
            yield
        finally:
            self.settled(conversation_id, tenant_id, taken)

    def settled(self, conversation_id: str, tenant_id: str | None, taken: float) -> None:
        """The request whose slot was taken at `taken` has been answered: count it from now on (it
        arrived no later), so requests that bunched up on the way are not counted early."""
        now = self._now()
        for key, limits in self._windows(conversation_id, tenant_id):
            sent = self._sent.get(key)
            if not limits or sent is None:
                continue
            at = bisect.bisect_left(sent, taken)
            if at < len(sent) and sent[at] == taken:
                del sent[at]
            bisect.insort(sent, now)

    async def acquire(self, conversation_id: str, tenant_id: str | None = None) -> float:
        """Wait for room, take it, and return the moment it was taken (for `settled`)."""
        # Checked again after every sleep: others may have taken the room meanwhile. The check and
        # the append have no await between them, so concurrent senders cannot overshoot together.
        while (wait := self.wait_needed(conversation_id, tenant_id)) > 0:
            if wait > self.max_wait:
                raise RetryLater(f"Teams send limit reached for {conversation_id}", after_seconds=wait)
            await self._sleep(wait)
        now = self._now()
        for key, limits in self._windows(conversation_id, tenant_id):
            if limits:
                bisect.insort(self._sent.setdefault(key, []), now)
        if now - self._swept_at > SWEEP_EVERY:
            self._sweep(now)
        return now

    def _windows(self, conversation_id: str, tenant_id: str | None) -> tuple[tuple[str, Limits], ...]:
        """Each key a send counts against, with its limits."""
        return ((conversation_id, self.limits), (f"tenant:{tenant_id or '?'}", self.tenant_limits))

    def _sweep(self, now: float) -> None:
        """Forget conversations whose last message is older than the longest window."""
        horizon = max((window for window, _ in (*self.limits, *self.tenant_limits)), default=0.0)
        for key in [k for k, sent in self._sent.items() if not sent or sent[-1] <= now - horizon]:
            del self._sent[key]
        for key in [k for k, until in self._held.items() if until <= now]:
            del self._held[key]
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
        del sent[: bisect.bisect_right(sent, now - horizon)]
        if not sent:
            del self._sent[key]
            return 0.0
        wait = 0.0
        for window, limit in limits:
            in_window = [t for t in sent if t > now - window]
            if len(in_window) >= limit:
                wait = max(wait, in_window[-limit] + window - now)
        return wait
