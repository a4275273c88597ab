"""Prometheus metrics the engine and the outbox update; the web adapter serves them."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS = Counter("coach_events_total", "Inbound events handled", ["platform", "kind", "outcome"])
EVENT_SECONDS = Histogram("coach_event_seconds", "Time to handle one inbound event", ["kind"])
OUTBOX = Counter("coach_outbox_total", "Outbox rows finished", ["platform", "outcome"])
# Counted in the database each time /metrics is read: the same for every process sharing it.
OUTBOX_ROWS = Gauge("coach_outbox_messages", "Outbox rows in each state, in the whole database", ["state"])
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
