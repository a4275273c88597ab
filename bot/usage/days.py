"""The per-day usage rollup: each human's uses and minutes saved per system and UTC day (`usage_day`), so
a report over a year reads whole days as rollup rows and only the rest as events.

Figures stay exactly what the events give. A report's weeks end at any moment (now, or midnight in the
viewer's zone), so a day holding a week's boundary is read from its events, as are today, the days not
rolled up yet (`usage_rolled.until` and after) and the days marked since they were rolled up (an event
arrived late, or events were linked to a person the coach met: the day's humans changed). Rows are per
human, not per day, because people active in a week cannot be summed from people active per day.

`catch_up` rolls up what is missing (before a dashboard page is built, and daily with retention); the
writers of usage events mark the days they touch (`mark`); `forget_before` follows retention.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, String, and_, case, cast, delete, false, func, insert, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.store.weeks import DAY_MS, WEEK_MS, day_of
from bot.usage.models import UsageDay, UsageDayMark, UsageEvent, UsageRolled

DAY = timedelta(days=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTES_SAVED = "minutes_saved"  # the usage kind that carries minutes saved (as bot.outcomes)


def day_number(moment: datetime) -> int:
    return (moment - EPOCH) // DAY


def day_start(day: int) -> datetime:
    return EPOCH + DAY * day


def who() -> Any:
    """One value per human: the linked person, else the handle the usage was sent with."""
    return func.coalesce("person:" + cast(UsageEvent.person_id, String), "handle:" + UsageEvent.person_handle)


# --- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cover:
    """How `[start, end)` of one system is read: `days` (conditions on `usage_day`) and `events`
    (conditions on `usage_event`) together hold each event once."""

    start: datetime
    days: Any
    events: Any

    def week_of_day(self) -> Any:
        """The week after `start` a rolled-up day falls in (whole days never straddle a week)."""
        start_ms = (self.start - EPOCH) // timedelta(milliseconds=1)
        return (cast(col(UsageDay.day), BigInteger) * DAY_MS - literal(start_ms, BigInteger)) // WEEK_MS


def cover(*, session: Session, system: str, start: datetime, end: datetime) -> Cover:
    """Weeks from `start` to `end` (a whole number of weeks): which days the rollup answers for."""
    rolled = session.exec(select(UsageRolled.until).where(UsageRolled.system_key == system)).first()
    usable: list[int] = []
    if rolled is not None:
        marked = set(
            session.exec(
                select(UsageDayMark.day).where(
                    UsageDayMark.system_key == system,
                    col(UsageDayMark.day) >= day_number(start),
                    col(UsageDayMark.day) < rolled,
                )
            ).all()
        )
        weeks = (start + timedelta(weeks=k) for k in range((end - start) // timedelta(weeks=1) + 1))
        split = {day_number(b) for b in weeks if b != day_start(day_number(b))}  # days holding a boundary
        first = day_number(start - timedelta(microseconds=1)) + 1  # the first day wholly in the span
        last = min(day_number(end), rolled)  # days before it are wholly in the span and rolled up
        usable = [d for d in range(first, last) if d not in marked and d not in split]
    days = list(_runs(usable))
    events: list[tuple[datetime, datetime]] = []
    at = start
    for lo, hi in days:
        if at < day_start(lo):
            events.append((at, day_start(lo)))
        at = day_start(hi)
    if at < end:
        events.append((at, end))
    return Cover(
        start=start,
        days=or_(
            false(),
            *(
                and_(col(UsageDay.system_key) == system, col(UsageDay.day) >= lo, col(UsageDay.day) < hi)
                for lo, hi in days
            ),
        ),
        events=or_(
            false(),
            *(
                and_(col(UsageEvent.system_key) == system, col(UsageEvent.at) >= lo, col(UsageEvent.at) < hi)
                for lo, hi in events
            ),
        ),
    )


def _runs(days: Sequence[int]) -> Iterable[tuple[int, int]]:
    """Consecutive days as [first, last + 1) ranges."""
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        yield days[i], days[j] + 1
        i = j + 1


# --- writing ----------------------------------------------------------------------------------------


def mark(*, session: Session, touched: Iterable[tuple[str, datetime]]) -> None:
    """The days these events (system, time) fall on changed: read them from the events until rolled again."""
    rows = [{"system_key": s, "day": d} for s, d in sorted({(s, day_number(at)) for s, at in touched})]
    if rows:
        session.execute(_insert_ignoring_duplicates(session, UsageDayMark), rows)


def catch_up(*, session: Session, systems: Iterable[str] | None, now: datetime) -> int:
    """Roll up every finished day of these systems (None: every system with usage) not rolled up yet, and
    the days marked since: how many days were rolled up."""
    today = day_number(now)
    if systems is None:
        systems = session.exec(select(UsageEvent.system_key).distinct()).all()
    rolled = dict(session.exec(select(UsageRolled.system_key, UsageRolled.until)).all())
    done = 0
    for system in systems:
        until = rolled.get(system)
        if until is None:
            first = session.exec(select(func.min(UsageEvent.at)).where(UsageEvent.system_key == system)).one()
            if first is None:
                continue  # nothing to roll up: its figures are read from (no) events
            until = day_number(first)
            session.add(UsageRolled(system_key=system, until=until))
            session.flush()
        marked = session.exec(
            select(UsageDayMark.day).where(UsageDayMark.system_key == system, col(UsageDayMark.day) < until)
        ).all()
        for lo, hi in [*_runs(sorted(marked)), *([(until, today)] if until < today else [])]:
            _roll(session, system, lo, hi)
            done += hi - lo
        if marked or until < today:
            session.execute(
                delete(UsageDayMark).where(
                    col(UsageDayMark.system_key) == system, col(UsageDayMark.day) < max(until, today)
                )
            )
            row = session.get(UsageRolled, system)
            assert row is not None
            row.until = max(until, today)
            session.add(row)
    return done


def _roll(session: Session, system: str, lo: int, hi: int) -> None:
    """The days [lo, hi) of one system afresh from their events."""
    session.execute(
        delete(UsageDay).where(
            col(UsageDay.system_key) == system, col(UsageDay.day) >= lo, col(UsageDay.day) < hi
        )
    )
    day = day_of(col(UsageEvent.at))
    human = who()
    handle = case((col(UsageEvent.person_id).is_(None), col(UsageEvent.person_handle)), else_=None)
    minutes = case((col(UsageEvent.kind) == MINUTES_SAVED, col(UsageEvent.value)), else_=None)
    grouped = (
        sa_select(
            literal(system).label("system_key"),
            day.label("day"),
            human.label("who"),
            func.max(UsageEvent.person_id).label("person_id"),
            func.max(handle).label("person_handle"),
            func.count().label("uses"),
            func.coalesce(func.sum(minutes), 0.0).label("minutes"),
        )
        .where(
            col(UsageEvent.system_key) == system,
            col(UsageEvent.at) >= day_start(lo),
            col(UsageEvent.at) < day_start(hi),
        )
        .group_by(day, human)
    )
    columns = ["system_key", "day", "who", "person_id", "person_handle", "uses", "minutes"]
    session.execute(insert(UsageDay).from_select(columns, grouped))


def forget_before(*, session: Session, moment: datetime) -> None:
    """Retention deleted the events before `moment`: the days before it go too, and its own day (part of
    whose events went) is rolled up again from what is left."""
    day = day_number(moment)
    session.execute(delete(UsageDay).where(col(UsageDay.day) < day))
    systems = session.exec(select(UsageDay.system_key).where(UsageDay.day == day).distinct()).all()
    for system in systems:
        _roll(session, system, day, day + 1)


def forget_all(*, session: Session) -> None:
    """Start again (the demo replaced its history): every day is read from events until caught up."""
    for table in (UsageDay, UsageDayMark, UsageRolled):
        session.execute(delete(table))


def _insert_ignoring_duplicates(session: Session, model: Any) -> Any:
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()
