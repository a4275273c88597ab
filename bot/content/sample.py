"""The sample context every template is rendered with by `coach content check`.

It holds what flows pass to templates, so a template using a variable no flow provides fails the
check instead of failing in front of a person. A flow that passes something new adds it here, or
content authors add it in content/samples.yaml (merged over this, mapping by mapping).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from bot.content.templates import Trusted

_DUE = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)

SAMPLE_CONTEXT: dict[str, Any] = {
    "app": {"name": "Adoption Coach"},
    "person": {
        "name": "Uma Okafor",
        "first_name": "Uma",
        "email": "uma@example.com",
        "stage": "activated",
        "timezone": "Europe/London",
    },
    "system": {
        "key": "assistant",
        "name": "Compass",
        "description": "The company's internal AI assistant for drafting, summarising and finding things.",
        "runbook": "https://wiki.example.com/compass/runbook",
        "model_version": "compass-2026-11",
        "sla": {"acknowledge_hours": 4, "answer_hours": 16},
    },
    "programme": {"key": "assistant", "name": "Getting started with Compass", "version": "3f9a1c2b7d10"},
    "step": {"key": "first-task", "kind": "nudge", "number": 2, "total": 9},
    "question": {"key": "minutes_saved", "prompt": "Roughly how many minutes did Compass save you?"},
    "stats": {"uses": 12, "active_days": 6, "minutes_saved": 95, "weeks": 2},
    "escalation": {
        "id": 42,
        "reference": "ESC-42",
        "reason": "unclear",
        "question": "Why does the summary say the contract renews in March?",
        "expected": "The renewal date from clause 4.2",
        "output": "The contract renews automatically in March 2027.",
        "source_url": "https://chat.example.com/archives/C1/p1700000000",
        "flagged_by": "Uma Okafor",
        "anonymous": False,
        "owner": "Omar Haddad",
        "backup": "Bea Lindqvist",
        "answer": "Clause 4.2 was amended in the 2025 addendum; the summary used the amended date.",
        "status": "acknowledged",
        "due_at": _DUE,
        "due": "within 4 working hours",
    },
    "report": {
        "id": 17,
        "reference": "FR-17",
        "category": "Answer quality",
        "severity": "It slows me down",
        "trying_to": "Summarise a long email thread",
        "details": "The summary missed the decision at the end.",
        "status": "planned",
        "reason": "",
        "anonymous": True,
        "reporter": "Uma Okafor",
        "owner": "Dev Raman",
    },
    "announcement": {
        "id": 5,
        "title": "Compass now reads spreadsheets",
        "body": "From Monday you can ask Compass about .xlsx files you attach.",
        "system": "Compass",
        "model_version": "compass-2026-11",
        "link": "https://wiki.example.com/compass/changes",
        "author": "Dev Raman",
    },
    "snooze": {"label": "tomorrow at 09:00", "until": datetime(2026, 11, 24, 9, 0, tzinfo=UTC)},
    "digest": {"period": "week", "count": 6, "urgent": 1, "themes": ["slow answers", "login"]},
    "body": Trusted("A paragraph a flow built itself, with **bold** it meant."),
}


def sample_context(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """A fresh copy of the sample, with `overrides` merged over it mapping by mapping."""
    merged = copy.deepcopy(SAMPLE_CONTEXT)
    if overrides:
        _merge(merged, overrides)
    return merged


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
