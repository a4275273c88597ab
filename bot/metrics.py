"""Prometheus metrics the engine and the outbox update; the web adapter serves them."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS = Counter("coach_events_total", "Inbound events handled", ["platform", "kind", "outcome"])
EVENT_SECONDS = Histogram("coach_event_seconds", "Time to handle one inbound event", ["kind"])
OUTBOX = Counter("coach_outbox_total", "Outbox rows finished", ["platform", "outcome"])
