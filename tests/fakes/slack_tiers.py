"""The Slack fake's rate limits, as Slack publishes them (api.slack.com/apis/rate-limits and each
method's page; see also PLATFORM_RULES.md of the design notes).

Per method per workspace: Tier 2 20/min (users.list), Tier 3 50/min (conversations.open,
conversations.history, conversations.info, chat.update, users.lookupByEmail), Tier 4 100/min (users.info,
conversations.members); chat.postMessage about 1/s per channel and a workspace-wide limit Slack does not
publish, modelled as 600/min. Beyond a quota the answer is HTTP 429 `ratelimited` with Retry-After (whole
seconds, until the window has room). A time scale compresses time: every per-minute quota is counted per
60/time_scale seconds, so a test or benchmark runs fast with the ratios of a real rollout.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

PER_MINUTE = {  # Slack's tiers, per method per workspace
    "users.list": 20,
    "conversations.open": 50,
    "conversations.history": 50,
    "conversations.info": 50,
    "chat.update": 50,
    "users.lookupByEmail": 50,
    "users.info": 100,
    "conversations.members": 100,
    "chat.postMessage": 600,  # workspace-wide (not published; modelled)
}


class RateLimits:
    """The calls each window still remembers: per workspace and method, and chat.postMessage per channel."""

    def __init__(self) -> None:
        self._method_calls: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._posts: dict[str, deque[float]] = defaultdict(deque)

    def over_tier(self, method: str, team: str, *, time_scale: float) -> int | None:
        """Seconds until `method` has room in `team`'s window, when its tier's quota is used up."""
        per_minute = PER_MINUTE.get(method)
        if per_minute is None:
            return None
        window = 60.0 / time_scale
        now = time.monotonic()
        calls = self._method_calls[(team, method)]
        while calls and now - calls[0] >= window:
            calls.popleft()
        if len(calls) >= per_minute:
            return max(1, int(window - (now - calls[0]) + 0.999))
        calls.append(now)
        return None

    def over_channel(self, channel: str, *, limit: int, window: float) -> bool:
        """Whether a chat.postMessage to `channel` would pass `limit` posts within `window` seconds."""
        now = time.monotonic()
        posts = self._posts[channel]
        while posts and now - posts[0] > window:
            posts.popleft()
        if len(posts) >= limit:
            return True
        posts.append(now)
        return False
