"""Imports every domain's tables so SQLModel's metadata (and Alembic) sees them all."""

from bot.announcements.models import Announcement, AnnouncementQuestion, AnnouncementRecipient
from bot.audit.models import AuditEntry, ProcessedEvent
from bot.channels.models import ChannelAddress
from bot.dashboard.models import DashboardKey, DashboardLink, DashboardSession
from bot.decisions.models import Decision, DriftReview
from bot.escalations.models import Escalation, FaqEntry
from bot.friction.models import DigestChoice, FrictionNote, FrictionReport
from bot.inbox.models import ParkedEvent
from bot.installations.models import InstallState, WorkspaceBot, WorkspaceInstallation
from bot.outbox.models import OutboxMessage, SendPace
from bot.ownership.models import DepartureReview, Drill, RoleAssignment, RoleConfirmation, SystemRecord
from bot.people.models import Identity, Person
from bot.privacy.models import WeeklyRollup
from bot.programmes.models import (
    Enrolment,
    PreviewStep,
    ProgrammePreview,
    ProgrammeVersion,
    PulseAnswer,
    StepProgress,
)
from bot.readiness.models import ReadinessWeek
from bot.schedule.models import DueWork
from bot.transcripts.models import TranscriptLine
from bot.usage.models import UsageDay, UsageDayMark, UsageEvent, UsageRolled

__all__ = [
    "Announcement",
    "AnnouncementQuestion",
    "AnnouncementRecipient",
    "AuditEntry",
    "ChannelAddress",
    "DashboardKey",
    "DashboardLink",
    "DashboardSession",
    "Decision",
    "DepartureReview",
    "DigestChoice",
    "DriftReview",
    "Drill",
    "DueWork",
    "Enrolment",
    "Escalation",
    "FaqEntry",
    "FrictionNote",
    "FrictionReport",
    "Identity",
    "InstallState",
    "OutboxMessage",
    "ParkedEvent",
    "Person",
    "PreviewStep",
    "ProcessedEvent",
    "ProgrammePreview",
    "ProgrammeVersion",
    "PulseAnswer",
    "ReadinessWeek",
    "RoleAssignment",
    "RoleConfirmation",
    "SendPace",
    "StepProgress",
    "SystemRecord",
    "TranscriptLine",
    "UsageDay",
    "UsageDayMark",
    "UsageEvent",
    "UsageRolled",
    "WeeklyRollup",
    "WorkspaceBot",
    "WorkspaceInstallation",
]
