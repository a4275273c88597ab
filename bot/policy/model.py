"""The policy's inputs and outputs: a person's attention state, a message request, a decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_SECONDS = 24 * 3600
CAP_WINDOW = timedelta(days=7)
WEEKDAYS = frozenset(range(7))  # Monday is 0, as in date.weekday()


class Kind(StrEnum):
    answer = "answer"  # a reply to something the person asked (e.g. an escalation answer)
    escalation_notice = "escalation_notice"
    reminder = "reminder"
    announcement = "announcement"
    question = "question"
    nudge = "nudge"
    tip = "tip"


# Lower goes first, the same convention as the outbox's priority column (default 50 = a question).
PRIORITY: dict[Kind, int] = {
    Kind.answer: 10,
    Kind.escalation_notice: 20,
    Kind.reminder: 30,
    Kind.announcement: 40,
    Kind.question: 50,
    Kind.nudge: 60,
    Kind.tip: 70,
}

# "Stop" silences the programme; operational messages (reminders, announcements, notices) still go.
PROGRAMME_KINDS = frozenset({Kind.nudge, Kind.tip, Kind.question})

# An answer is what the person asked for, so it neither spends nor waits for the shared budget.
BUDGETED_KINDS = frozenset(Kind) - {Kind.answer}


class Action(StrEnum):
    send = "send"
    defer = "defer"
    hold = "hold"


class Reason(StrEnum):
    allowed = "allowed"
    critical = "critical"
    stopped = "stopped"
    before_earliest = "before_earliest"
    snoozed = "snoozed"
    non_working_day = "non_working_day"
    holiday = "holiday"
    outside_working_hours = "outside_working_hours"
    quiet_hours = "quiet_hours"
    min_gap = "min_gap"
    weekly_cap = "weekly_cap"


def utc(moment: datetime) -> datetime:
    """`moment` in UTC; naive datetimes are refused because their zone is a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the attention policy needs aware datetimes, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def is_valid_timezone(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def resolve_timezone(*candidates: str | None, default: str = "UTC") -> str:
    """The first valid IANA name among `candidates` (e.g. the person's override, then the profile's)."""
    return next((name for name in candidates if name and is_valid_timezone(name)), default)


def seconds_of(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def shift_seconds(start: time, end: time) -> tuple[int, int]:
    """A working shift as seconds after the local midnight of the day it starts on.

    An end at or before the start is on the next day, so 18:00–09:00 is (18 h, 33 h) and 09:00–00:00 runs
    to midnight; equal times make a shift of a whole day."""
    low, high = seconds_of(start), seconds_of(end)
    return (low, high if high > low else high + DAY_SECONDS)


def _quiet_spans(quiet: tuple[time, time]) -> list[tuple[int, int]]:
    # Quiet hours on the shift's day and the next, which a shift past midnight reaches into.
    start, end = seconds_of(quiet[0]), seconds_of(quiet[1])
    daily = [(start, end)] if start < end else [(0, end), (start, DAY_SECONDS + end)]
    return [(low + offset, high + offset) for offset in (0, DAY_SECONDS) for low, high in daily]


def open_windows(work: tuple[time, time], quiet: tuple[time, time] | None) -> tuple[tuple[int, int], ...]:
    """Seconds after the local midnight of a working day when a non-critical message may go: its shift
    (which may run past midnight, so up to 48 h) less the quiet hours."""
    pieces = [shift_seconds(*work)]
    for low, high in _quiet_spans(quiet) if quiet is not None else []:
        kept: list[tuple[int, int]] = []
        for a, b in pieces:
            if high <= a or low >= b:
                kept.append((a, b))
                continue
            if a < low:
                kept.append((a, low))
            if high < b:
                kept.append((high, b))
        pieces = kept
    return tuple(pieces)


@dataclass(frozen=True)
class Send:
    """A proactive message already sent (or already planned) to the person."""

    at: datetime
    kind: Kind


@dataclass(frozen=True)
class AttentionState:
    """Everything the policy knows about one person; the scheduler builds it from the store."""

    timezone: str = "UTC"
    # A shift: local start and end; an end at or before the start is on the next day (a night shift,
    # 18:00–09:00) and the shift belongs to the day it starts, for working days and holidays alike.
    work_start: time = time(9)
    work_end: time = time(17)
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    quiet_hours: tuple[time, time] | None = None  # local (start, end); may wrap midnight
    holidays: frozenset[date] = frozenset()  # local dates
    weekly_cap: int = 5  # budgeted messages per rolling 7 days
    min_gap: timedelta = timedelta(hours=4)
    snoozed_until: datetime | None = None
    stopped: bool = False
    recent: tuple[Send, ...] = ()
    windows: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not is_valid_timezone(self.timezone):
            raise ValueError(f"unknown time zone {self.timezone!r}: use an IANA name such as Europe/Berlin")
        if not self.working_days or not self.working_days <= WEEKDAYS:
            raise ValueError(f"working days must be a non-empty set of 0 (Monday) … 6: {self.working_days}")
        if self.quiet_hours is not None and self.quiet_hours[0] == self.quiet_hours[1]:
            raise ValueError("quiet hours must start and end at different times")
        if self.weekly_cap < 1:
            raise ValueError(f"the weekly cap must be at least 1, got {self.weekly_cap}")
        if self.min_gap < timedelta(0):
            raise ValueError(f"the minimum gap cannot be negative, got {self.min_gap}")
        if self.snoozed_until is not None:
            utc(self.snoozed_until)
        for send in self.recent:
            utc(send.at)
        windows = open_windows((self.work_start, self.work_end), self.quiet_hours)
        if not windows:
            raise ValueError("quiet hours cover the whole working day: no message could ever be sent")
        object.__setattr__(self, "windows", windows)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def shift(self) -> tuple[int, int]:
        """The working shift in seconds after the local midnight of its day (the end may pass 24 h)."""
        return shift_seconds(self.work_start, self.work_end)

    def budgeted_sends(self) -> list[datetime]:
        """The sends that count towards the cap and the gap, in UTC, oldest first."""
        return sorted(utc(send.at) for send in self.recent if send.kind in BUDGETED_KINDS)


@dataclass(frozen=True)
class MessageRequest:
    """One message a flow wants to send; `key` is the caller's own id (e.g. the outbox key)."""

    kind: Kind
    critical: bool = False  # bypasses caps, quiet and working hours, snooze and stop
    earliest: datetime | None = None  # None: as soon as allowed
    latest: datetime | None = None  # the last moment the message is still useful
    priority: int | None = None  # None: PRIORITY[kind]; lower goes first
    key: str = ""

    @property
    def rank(self) -> int:
        return PRIORITY[self.kind] if self.priority is None else self.priority


@dataclass(frozen=True)
class Decision:
    """Send now, defer to `at` (aware UTC), or hold until the person starts again."""

    action: Action
    reason: Reason
    at: datetime | None = None
    late: bool = False  # deferred past the request's latest useful time; the caller chooses what to do


@dataclass(frozen=True)
class Planned:
    request: MessageRequest
    decision: Decision
