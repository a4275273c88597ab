"""Template context pieces built from content's own models, shaped exactly like the sample context."""

from __future__ import annotations

from typing import Any

from bot.content.schema import System


def system_context(system: System | None, key: str) -> dict[str, Any]:
    """What templates see as `system`; a system missing from systems.yaml still renders by its key."""
    if system is None:
        return {"key": key, "name": key, "description": "", "runbook": "", "model_version": "", "sla": None}
    return {
        "key": system.key,
        "name": system.name,
        "description": system.description,
        "runbook": system.runbook or "",
        "model_version": system.model_version or "",
        "sla": {"acknowledge_hours": system.sla.acknowledge_hours, "answer_hours": system.sla.answer_hours},
    }
