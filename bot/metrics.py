"""Prometheus metrics the engine and the outbox update; the web adapter serves them."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS = Counter("coach_events_total", "Inbound events handled", ["platform", "kind", "outcome"])
EVENT_SECONDS = Histogram("coach_event_seconds", "Time to handle one inbound event", ["kind"])
OUTBOX = Counter("coach_outbox_total", "Outbox rows finished", ["platform", "outcome"])
# Counted in the database each time /metrics is read: the same for every process sharing it.
OUTBOX_ROWS = Gauge("coach_outbox_messages", "Outbox rows in each state, in the whole database", ["state"])
OUTBOX_BACKLOG = Gauge(
    "coach_outbox_backlog",
    "Outbox rows due now and not sent yet, per platform, in the whole database",
    ["platform"],
)
THROTTLED = Counter(
    "coach_platform_throttled_total",
    "Rate-limit answers (HTTP 429) from a platform's API",
    ["platform", "path"],
)
SLA_BREACHES = Counter(
    "coach_escalation_sla_breaches_total",
    "Escalations whose acknowledge or answer deadline passed",
    ["missed"],
)
QUOTA_PAUSED = Counter(
    "coach_quota_paused_total", "Platform quotas paused for every process after a 429", ["platform"]
)
QUOTA_SENDS = Counter(
    "coach_quota_sends_total", "Calls made under each platform quota (its use)", ["platform", "method"]
)
# Read from the shared schedule each time /metrics is read: the rate every process together keeps now.
QUOTA_RATE = Gauge(
    "coach_quota_rate",
    "Calls per second a platform quota allows now (lower after a 429)",
    ["platform", "method"],
)
QUOTA_WAIT = Histogram(
    "coach_quota_wait_seconds",
    "How long a send waited for its moment under the platform's quota",
    ["platform"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120),
)
APP_RATE_LIMITED = Counter(
    "coach_app_rate_limited_total", "Slack app_rate_limited events (events dropped by Slack)", ["team"]
)
