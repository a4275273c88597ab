"""Imports every domain's tables so SQLModel's metadata (and Alembic) sees them all."""

from bot.audit.models import AuditEntry, ProcessedEvent
from bot.outbox.models import OutboxMessage
from bot.people.models import Identity, Person

__all__ = ["AuditEntry", "Identity", "OutboxMessage", "Person", "ProcessedEvent"]
