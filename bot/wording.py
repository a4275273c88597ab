"""Numbers, counts and days in words that read right with any value: 0, 1 or many.

Used by flows and, as the `number` and `plural` filters, by templates (`bot.content.templates`).
Pure; imports nothing from the coach.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta


def number(value: float) -> str:
    """16.0 -> "16", 1.25 -> "1.2", 1500 -> "1,500": whole numbers without ".0", one decimal at most."""
    rounded = round(float(value), 1)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    return f"{rounded:,.1f}"


def plural(count: float, singular: str, many: str | None = None) -> str:
    """ "1 working hour", "16 working hours", "1.5 days", "no reports"; `many` for irregular words."""
    shown = number(count)
    word = singular if shown == "1" else (many or singular + "s")
    return f"no {word}" if shown == "0" else f"{shown} {word}"


def excerpt(text: str, limit: int) -> str:
    """`text` whole when it fits, else its first `limit` characters or so, cut at a word and ending "…"."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit * 0.8:  # a word boundary not far back: cut there rather than mid-word
        cut = cut[:space]
    return cut.rstrip() + "…"


def day_and_time(moment: datetime, *, today: date) -> str:
    """When `moment` (already in the reader's zone) is, seen from `today` there:
    "today at 15:00", "tomorrow at 09:00", "Monday at 09:00" within a week, else "Monday 7 December at 09:00".
    """
    day, clock = moment.date(), f"{moment:%H:%M}"
    if day == today:
        return f"today at {clock}"
    if day == today + timedelta(days=1):
        return f"tomorrow at {clock}"
    if today < day < today + timedelta(days=7):
        return f"{moment:%A} at {clock}"
    return f"{moment:%A} {moment.day} {moment:%B} at {clock}"
