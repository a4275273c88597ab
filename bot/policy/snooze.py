"""The snooze choices offered on every proactive message, turned into a `snoozed_until` time."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from bot.policy.calendar import ONE_DAY, at_local, local_day, next_open, shift_day
from bot.policy.model import AttentionState, utc


class SnoozeChoice(StrEnum):
    hour = "hour"
    tomorrow = "tomorrow"
    next_week = "next_week"


def snooze_until(choice: SnoozeChoice | str, now: datetime, state: AttentionState) -> datetime:
    """When the snooze ends, in UTC: always an open slot (working hours, outside quiet hours).

    - hour: one hour from now, or the next open slot after that;
    - tomorrow: the first open moment of the next working day's shift, "today" being the day of the shift
      the person is in (a night shift's Tuesday 03:00 is still Monday), else the local date;
    - next_week: the first open moment from next Monday's shift, or, for someone who does not work
      Mondays, from the same weekday a week later.
    The person's current snooze is replaced, not extended; gap and cap are applied later by `decide`.
    """
    choice = SnoozeChoice(choice)
    now = utc(now)
    if choice is SnoozeChoice.hour:
        return next_open(state, now + timedelta(hours=1))
    zone = state.zone
    today = shift_day(now, state) or local_day(now, zone)
    if choice is SnoozeChoice.tomorrow:
        day = today + ONE_DAY
    elif 0 in state.working_days:
        day = today + timedelta(days=7 - today.weekday())
    else:
        day = today + timedelta(days=7)
    return next_open(state, at_local(day, state.shift[0], zone))
