"""Slack's published rate limits as the pacer's quotas (per workspace, per method).

Figures: api.slack.com/apis/rate-limits and each method's page. Tier 1 1+/min, Tier 2 20+/min, Tier 3
50+/min, Tier 4 100+/min, per method per workspace; chat.postMessage is "special": about one message
per second per channel, with a workspace-wide limit Slack does not publish (modelled as 600/min, a
burst allowance above that is not relied on). Commercially distributed apps not approved for the
Marketplace get conversations.history at 1/min (since 2025): `history_tier` lets a deployment say so.

`scale` multiplies every rate: 1 in production; a benchmark against a time-compressed fake sets its
factor (COACH_QUOTA_SCALE), so the ratios are those of a real rollout.
"""

from __future__ import annotations

from bot.outbox.pace import Quota

PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
TIERS = {
    "users.list": 2,
    "conversations.open": 3,
    "conversations.history": 3,
    "conversations.info": 3,
    "chat.update": 3,
    "users.lookupByEmail": 3,
    "users.info": 4,
    "conversations.members": 4,
    "views.publish": 4,
}
POSTS_PER_MINUTE = 600  # chat.postMessage per workspace (modelled)
POST_INTERVAL = 1.0  # seconds between posts to one channel
MARGIN = 0.9  # paced a little under each limit: Slack counts in windows of its own, with jitter between us


def quota(team: str, method: str, *, scale: float = 1.0) -> Quota:
    per_minute = POSTS_PER_MINUTE if method == "chat.postMessage" else PER_MINUTE[TIERS.get(method, 3)]
    return Quota(key=f"slack:{team}:{method}", rate=per_minute * MARGIN * scale / 60)
