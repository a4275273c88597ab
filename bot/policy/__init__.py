"""The attention policy: when the bot may speak to a person. Pure functions over the person's state and
the clock, with no database access, shared by the scheduler, the outbox and every flow (nudges, tips,
questions, reminders, announcements, escalation notices, answers). Imported anywhere in `bot`.

The rules, in plain words:

- Everyone is reached in their own time zone (the one they chose, else their platform profile's, else
  UTC), on their working days (Monday to Friday unless they say otherwise), inside their working hours
  (9:00–17:00 unless they say otherwise), never in their quiet hours (which may wrap midnight, e.g.
  20:00–08:00) and never on their holidays.
- Working hours are a shift that may also run past midnight (18:00–09:00); a shift belongs to the day
  it starts on: that day's being a working day or a holiday decides whether the whole shift happens,
  and SLA time counts it the same way. A local time the clock skips (spring) starts at the jump; one it
  shows twice (autumn) at its first showing.
- All proactive messages share one budget: at most `weekly_cap` (5) in any rolling 7 days, and at least
  `min_gap` (4 hours) between any two. Nudges, tips, questions, reminders, announcements and escalation
  notices all spend it. When the budget is full, the next message waits until the oldest counted one
  leaves the 7-day window.
- A message that cannot go now is never dropped: it is deferred to the next allowed slot, an exact UTC
  time. If it would then arrive after its latest useful time, the decision says so (`late`) and the
  caller decides; the policy itself loses nothing.
- When several messages compete, the more important goes first: answers, then escalation notices,
  reminders, announcements, questions, nudges, and tips last. The rest follow, the minimum gap apart.
- Snooze ("an hour", "tomorrow", "next week") moves the person's next proactive message to an open slot
  after that time. Stop holds programme messages (nudges, tips, questions) until the person starts
  again; reminders, announcements and notices still go, within the budget.
- An answer to something the person asked is not proactive: it ignores the budget, snooze and stop, but
  still waits for their working hours.
- A critical message (an escalation answer the person is waiting for, an outage or security notice)
  goes at once: it bypasses the budget, quiet and working hours, snooze and stop.
- Service-level deadlines count working time only, in the owner's time zone: "within 4 working hours"
  of Friday 16:00 is Monday 12:00.
"""

from __future__ import annotations

from bot.policy.calendar import (
    add_working_days,
    add_working_hours,
    is_open,
    next_open,
    working_hours_between,
)
from bot.policy.decide import decide, next_allowed_slot, plan
from bot.policy.model import (
    BUDGETED_KINDS,
    PRIORITY,
    PROGRAMME_KINDS,
    Action,
    AttentionState,
    Decision,
    Kind,
    MessageRequest,
    Planned,
    Reason,
    Send,
    resolve_timezone,
)
from bot.policy.snooze import SnoozeChoice, snooze_until

__all__ = [
    "BUDGETED_KINDS",
    "PRIORITY",
    "PROGRAMME_KINDS",
    "Action",
    "AttentionState",
    "Decision",
    "Kind",
    "MessageRequest",
    "Planned",
    "Reason",
    "Send",
    "SnoozeChoice",
    "add_working_days",
    "add_working_hours",
    "decide",
    "is_open",
    "next_allowed_slot",
    "next_open",
    "plan",
    "resolve_timezone",
    "snooze_until",
    "working_hours_between",
]
