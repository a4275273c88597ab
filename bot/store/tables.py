"""Imports every domain's tables so SQLModel's metadata (and Alembic) sees them all."""

from bot.audit.models import AuditEntry, ProcessedEvent
from bot.outbox.models import OutboxMessage
from bot.people.models import Identity, Person
from bot.programmes.models import Enrolment, ProgrammeVersion, PulseAnswer, StepProgress
from bot.schedule.models import DueWork
from bot.usage.models import UsageEvent

__all__ = [
    "AuditEntry",
    "DueWork",
    "Enrolment",
    "Identity",
    "OutboxMessage",
    "Person",
    "ProcessedEvent",
    "ProgrammeVersion",
    "PulseAnswer",
    "StepProgress",
    "UsageEvent",
]
