"""Imports every domain's tables so SQLModel's metadata (and Alembic) sees them all."""

from bot.audit.models import AuditEntry, ProcessedEvent
from bot.channels.models import ChannelAddress
from bot.outbox.models import OutboxMessage
from bot.ownership.models import RoleAssignment, SystemRecord
from bot.people.models import Identity, Person
from bot.programmes.models import Enrolment, ProgrammeVersion, PulseAnswer, StepProgress
from bot.schedule.models import DueWork
from bot.usage.models import UsageEvent

__all__ = [
    "AuditEntry",
    "ChannelAddress",
    "DueWork",
    "Enrolment",
    "Identity",
    "OutboxMessage",
    "Person",
    "ProcessedEvent",
    "ProgrammeVersion",
    "PulseAnswer",
    "RoleAssignment",
    "StepProgress",
    "SystemRecord",
    "UsageEvent",
]
