"""Teams' send limits: per conversation as sliding windows in this process, per tenant on the shared pace.

Teams allows a bot, per conversation, 7 messages per second, 8 per 2 s, 60 per 30 s and 1,800 per
hour, and an app about 50 requests per second in each tenant (every request: messages, roster reads).
The tenant's limit is one quota on `bot.outbox.pace` (`teams:TENANT:send`, paced at 40/s), shared by
every process through the database, so N processes together stay within it. The conversation windows
stay per process: a conversation's messages come almost always from the process that claimed its rows
or handles its turn, and a stray overlap costs a 429 that holds only that conversation.

A short wait is taken in place; a long one becomes `RetryLater(paced=True)` so the outbox row is retried
later (not one of its attempts) instead of holding a dispatcher worker. Windows with nothing left in them
are dropped, so memory follows recent traffic, not every conversation ever seen.

Teams counts a message when it arrives, which is some time after its slot was taken here (more when the
machine is busy): a send is counted from when its slot was taken until it is `settled`, and from then on
at the moment its answer came back, which is no earlier than its arrival.

Teams' 429 does not say which limit it enforced. `refused` reads it as the conversation's when this
process's own recent messages there fill half of one of its windows (then only that conversation is held,
until its Retry-After), and as the tenant's otherwise: a conversation this quiet cannot have hit its own
limit, so the tenant's quota is paused for every process and resumes slower (`Pacer.refused`).

`scale` (COACH_QUOTA_SCALE) multiplies every rate: 1 in production; benchmarks against a time-compressed
fake set its factor.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.outbox.pace import Pacer, Quota, retry_after_seconds
from bot.ports import RetryLater

Limits = tuple[tuple[float, int], ...]  # (window seconds, messages allowed in it)
TEAMS_LIMITS: Limits = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
# Documented as about 50 per second; 40 leaves room for the time between taking a slot here and the
# request reaching Teams, which varies when many sends start together.
TENANT_RATE = 40.0
SWEEP_EVERY = 300.0  # seconds


def tenant_quota(tenant_id: str | None, *, rate: float = TENANT_RATE) -> Quota:
    """The app's quota in one tenant, on the shared pace (`bot/announcements/estimate.py` reads it)."""
    return Quota(key=f"teams:{tenant_id or '?'}:send", rate=rate)


class ConversationThrottle:
    def __init__(
        self,
        *,
        pacer: Pacer | None = None,
        scale: float = 1.0,
        limits: Limits = TEAMS_LIMITS,
        tenant_rate: float = TENANT_RATE,
        max_wait: float = 2.0,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # Not `pacer or Pacer()`: tests hand in a pacer of their own, and an explicit None means this
        # process paces its tenants alone.
        self.pacer = pacer if pacer is not None else Pacer()
        self.limits: Limits = tuple((window / scale, limit) for window, limit in limits)
        self.tenant_rate = tenant_rate * scale
        self.max_wait = max_wait
        self._now = now
        self._sleep = sleep
        self._sent: dict[str, list[float]] = {}  # per conversation, the moments its sends count from
        self._held: dict[str, float] = {}  # conversation -> until when a 429 holds it
        self._swept_at = now()

    def quota(self, tenant_id: str | None) -> Quota:
        return tenant_quota(tenant_id, rate=self.tenant_rate)

    def wait_needed(self, conversation_id: str) -> float:
        """Seconds until one more message fits every window of this conversation (in this process)."""
        held = self._held.get(conversation_id, 0.0) - self._now()
        return max(held, self._wait(conversation_id))

    def hold(self, conversation_id: str, seconds: float) -> None:
        """Teams answered 429 for this conversation: nothing more goes to it for `seconds`."""
        until = self._now() + seconds
        self._held[conversation_id] = max(until, self._held.get(conversation_id, until))

    async def refused(self, conversation_id: str, tenant_id: str | None, retry_after: float | None) -> bool:
        """Teams answered 429 to a request in this conversation: hold the conversation, or pause the
        tenant for every process (see the module's docstring). True when read as the tenant's."""
        if self._busy(conversation_id):
            self.hold(conversation_id, retry_after_seconds(retry_after if retry_after is not None else 1.0))
            return False
        await self.pacer.refused(self.quota(tenant_id), retry_after)
        return True

    async def tenant_moment(self, tenant_id: str | None) -> None:
        """Wait (as long as it takes) for a request in this tenant outside any conversation's windows:
        a roster page. For callers that run in the background, not a dispatcher worker."""
        await self.pacer.acquire(self.quota(tenant_id))

    async def tenant_refused(self, tenant_id: str | None, retry_after: float | None) -> float:
        """A request outside a conversation (a roster page) answered 429: the tenant's, for every process."""
        return await self.pacer.refused(self.quota(tenant_id), retry_after)

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
        sent = self._sent.get(conversation_id)
        if not self.limits or sent is None:
            return
        self._forget(sent, taken)
        bisect.insort(sent, self._now())

    async def acquire(self, conversation_id: str, tenant_id: str | None = None) -> float:
        """Wait for room in the conversation and a moment in the tenant, take both, and return the
        moment the conversation's slot was taken (for `settled`)."""
        # Checked again after every sleep: others may have taken the room meanwhile. The check and
        # the append have no await between them, so concurrent senders cannot overshoot together.
        while (wait := self.wait_needed(conversation_id)) > 0:
            if wait > self.max_wait:
                raise RetryLater(
                    f"Teams send limit reached for {conversation_id}", after_seconds=wait, paced=True
                )
            await self._sleep(wait)
        now = self._now()
        if self.limits:
            bisect.insort(self._sent.setdefault(conversation_id, []), now)
        try:
            await self.pacer.acquire(self.quota(tenant_id), max_wait=self.max_wait)
        except BaseException:
            self._forget(self._sent.get(conversation_id), now)  # nothing was sent with that slot
            raise
        if now - self._swept_at > SWEEP_EVERY:
            self._sweep(now)
        return now

    def _busy(self, conversation_id: str) -> bool:
        """This process's own recent messages in the conversation fill half of one of its windows."""
        sent = self._sent.get(conversation_id) or []
        now = self._now()
        return any(2 * sum(1 for t in sent if t > now - window) >= limit for window, limit in self.limits)

    @staticmethod
    def _forget(sent: list[float] | None, taken: float) -> None:
        if not sent:
            return
        at = bisect.bisect_left(sent, taken)
        if at < len(sent) and sent[at] == taken:
            del sent[at]

    def _sweep(self, now: float) -> None:
        """Forget conversations whose last message is older than the longest window."""
        horizon = max((window for window, _ in self.limits), default=0.0)
        for key in [k for k, sent in self._sent.items() if not sent or sent[-1] <= now - horizon]:
            del self._sent[key]
        for key in [k for k, until in self._held.items() if until <= now]:
            del self._held[key]
        self._swept_at = now

    def __len__(self) -> int:
        """Conversations with a window still open (for tests and curiosity)."""
        return len(self._sent)

    def _wait(self, key: str) -> float:
        sent = self._sent.get(key)
        if not sent or not self.limits:
            return 0.0
        now = self._now()
        horizon = max(window for window, _ in self.limits)
        del sent[: bisect.bisect_right(sent, now - horizon)]
        if not sent:
            del self._sent[key]
            return 0.0
        wait = 0.0
        for window, limit in self.limits:
            in_window = [t for t in sent if t > now - window]
            if len(in_window) >= limit:
                wait = max(wait, in_window[-limit] + window - now)
        return wait
