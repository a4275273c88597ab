"""Adoption stages from usage and progress: pure rules, invited → onboarded → activated → habitual → champion."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.content import STAGES, Stage, stage_index
from bot.content.schema import StageRule, Stages


@dataclass(frozen=True)
class Signals:
    uses: int
    use_days: Collection[date]  # distinct days with usage
    steps_done: Collection[str]


def meets(rule: StageRule, signals: Signals, now: datetime) -> bool:
    if signals.uses < rule.min_uses:
        return False
    if not set(rule.steps_done) <= set(signals.steps_done):
        return False
    if rule.min_active_days:
        days = signals.use_days
        if rule.within_days:
            since = (now - timedelta(days=rule.within_days)).date()
            days = [d for d in days if d > since]
        if len(set(days)) < rule.min_active_days:
            return False
    return True


def compute_stage(rules: Stages, signals: Signals, now: datetime, current: Stage = "invited") -> Stage:
    """The highest stage whose rule and every earlier rule hold; never lower than `current`."""
    reached: Stage = "invited"
    for stage in STAGES[1:]:
        if not meets(getattr(rules, stage), signals, now):
            break
        reached = stage
    return reached if stage_index(reached) >= stage_index(current) else current


def as_stage(value: str) -> Stage:
    """A stage name read back from the database."""
    for stage in STAGES:
        if stage == value:
            return stage
    return "invited"
