"""The figures behind `outcomes`: per AI system and per week, what its adoption is bringing.

Weeks are the seven-day windows ending now, newest last. Every figure is an aggregate; no person is
named, so anonymous reports and flags stay anonymous. Counts of people, and people's own answers and
ratings (time-saved estimates, whether an answer to a flag helped), from a group smaller than
`min_group` are withheld (None), as adoption analytics do: with two users, "1 went quiet" names
someone, and "helped in 1 of 1 rated" tells the owner how one person rated. Counts of reports and flags
and the owners' own answer times are shown as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import and_, case, func, or_, union
from sqlmodel import Session, col, select

from bot.content import STAGES, Content
from bot.escalations.models import Escalation
from bot.friction import service as friction
from bot.friction.models import FrictionReport
from bot.friction.models import Status as FrictionStatus
from bot.programmes.models import Enrolment, PulseAnswer
from bot.store.weeks import week_of
from bot.usage import days
from bot.usage.models import UsageDay, UsageEvent

WEEK = timedelta(days=7)
MAX_WEEKS = 52
MINUTES_SAVED = "minutes_saved"  # the usage kind and the programme question key that carry minutes saved


@dataclass(frozen=True)
class Week:
    start: datetime
    end: datetime
    # None: withheld, fewer people than the minimum group size
    active_users: int | None = 0  # anyone with a usage event in the week, known to the coach or not
    went_quiet: int | None = 0  # active the week before, not in this one
    uses: int = 0
    minutes_measured: float = 0.0  # usage events of kind `minutes_saved`, from the system itself
    minutes_estimated: float | None = 0.0  # people's answers to the `minutes_saved` question
    estimates: int | None = 0
    friction_new: int = 0
    friction_fixed: int = 0  # reports whose status became `fixed` in the week (as far as known now)
    flags_raised: int = 0
    flags_answered: int = 0
    answered_within_sla: int = 0
    median_hours_to_answer: float | None = None
    helpful: int | None = 0  # flaggers' own ratings of the answers: withheld below the group size
    not_helpful: int | None = 0

    @property
    def hours_saved(self) -> float:
        """Measured and estimated together (the estimates only where enough people answered)."""
        return (self.minutes_measured + (self.minutes_estimated or 0.0)) / 60


@dataclass(frozen=True)
class SystemOutcomes:
    key: str
    name: str
    min_group: int
    enrolled: int | None  # people in the system's programmes
    habitual: int | None  # of them habitual or beyond: the system became part of their work
    stages: Mapping[str, int | None]  # the enrolled by their stage now
    friction_open: int
    flags_open: int
    weeks: tuple[Week, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        """Nothing to show yet: nobody enrolled, no usage, no reports, no flags."""
        quiet = all(
            w.active_users == w.friction_new == w.flags_raised == 0 and not w.hours_saved for w in self.weeks
        )
        return quiet and self.enrolled == self.friction_open == self.flags_open == 0

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "min_group_size": self.min_group,
            "enrolled": self.enrolled,
            "habitual": self.habitual,
            "stages": dict(self.stages),
            "friction_open": self.friction_open,
            "flags_open": self.flags_open,
            "weeks": [
                {
                    **asdict(w),
                    "start": w.start.isoformat(),
                    "end": w.end.isoformat(),
                    "hours_saved": w.hours_saved,
                }
                for w in self.weeks
            ],
        }


def outcomes(
    *,
    session: Session,
    content: Content,
    now: datetime,
    min_group: int,
    weeks: int = 4,
    system: str | None = None,
) -> list[SystemOutcomes]:
    """Per system (or just `system`), `weeks` weeks of figures ending now, oldest first."""
    weeks = max(1, min(weeks, MAX_WEEKS))
    windows = [(now - WEEK * (weeks - i), now - WEEK * (weeks - i - 1)) for i in range(weeks)]
    keys = [k for k in content.systems if system is None or k == system]
    programmes = {k: [p.key for p in content.programmes.values() if p.system == k] for k in keys}
    return [
        _system(
            session,
            key=key,
            name=content.systems[key].name,
            programmes=programmes[key],
            windows=windows,
            min_group=min_group,
        )
        for key in keys
    ]


def _system(
    session: Session,
    *,
    key: str,
    name: str,
    programmes: Sequence[str],
    windows: Sequence[tuple[datetime, datetime]],
    min_group: int,
) -> SystemOutcomes:
    stages = _stages(session, programmes)
    habitual = sum(stages[stage] for stage in STAGES[STAGES.index("habitual") :])
    return SystemOutcomes(
        key=key,
        name=name,
        min_group=min_group,
        enrolled=_few(sum(stages.values()), min_group),
        habitual=_few(habitual, min_group),
        stages={stage: _few(n, min_group) for stage, n in stages.items()},
        friction_open=friction.count_open(session=session, system=key),
        flags_open=_count(
            session, Escalation, Escalation.system_key == key, col(Escalation.answered_at).is_(None)
        ),
        weeks=_weeks(session, key, programmes, windows, min_group),
    )


def _weeks(
    session: Session,
    system: str,
    programmes: Sequence[str],
    windows: Sequence[tuple[datetime, datetime]],
    min_group: int,
) -> tuple[Week, ...]:
    """Every week's figures with one grouped query per table (arithmetic names each row's week), not one
    query per week and figure; usage from the per-day rollup for whole days (`bot.usage.days`)."""
    n = len(windows)
    uses, measured = [0] * n, [0.0] * n
    span = days.cover(session=session, system=system, start=windows[0][0], end=windows[-1][1])
    minutes = case((col(UsageEvent.kind) == MINUTES_SAVED, col(UsageEvent.value)), else_=None)
    week = week_of(col(UsageEvent.at), windows[0][0])
    rolled = span.week_of_day()
    for query in (
        select(week, func.count(), func.sum(minutes)).where(span.events).group_by(week),
        select(rolled, func.sum(UsageDay.uses), func.sum(UsageDay.minutes)).where(span.days).group_by(rolled),
    ):
        for i, count, total in session.exec(query).all():
            uses[i] += int(count)
            measured[i] += float(total or 0.0)
    active, went_quiet = _active(session, system, windows)
    estimated, estimates = [0.0] * n, [0] * n
    if programmes:
        week = _bucket(PulseAnswer.at, windows)
        for i, total, count in session.exec(
            select(week, func.sum(PulseAnswer.number), func.count(col(PulseAnswer.number)))
            .where(
                PulseAnswer.question_key == MINUTES_SAVED,
                col(PulseAnswer.programme_key).in_(programmes),
                *_within(PulseAnswer.at, windows[0][0], windows[-1][1]),
            )
            .group_by(week)
        ).all():
            estimated[i], estimates[i] = float(total or 0.0), int(count)
    friction_new = _per_week(session, FrictionReport.created_at, windows, FrictionReport.system_key == system)
    friction_fixed = _per_week(
        session,
        FrictionReport.updated_at,
        windows,
        FrictionReport.system_key == system,
        FrictionReport.status == FrictionStatus.fixed,
    )
    flags_raised = _per_week(session, Escalation.created_at, windows, Escalation.system_key == system)
    answered: list[list[tuple[datetime, datetime, datetime, bool | None]]] = [[] for _ in windows]
    week = _bucket(Escalation.answered_at, windows)
    for i, created, answered_at, due, helpful in session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() up to four columns
            week, Escalation.created_at, Escalation.answered_at, Escalation.answer_due_at, Escalation.helpful
        ).where(
            Escalation.system_key == system,
            col(Escalation.answered_at).is_not(None),
            *_within(Escalation.answered_at, windows[0][0], windows[-1][1]),
        )
    ).all():
        answered[i].append((created, answered_at, due, helpful))
    weeks = []
    for i, (start, end) in enumerate(windows):
        shown = _few(estimates[i], min_group) is not None
        rows = answered[i]
        hours = [(at - created).total_seconds() / 3600 for created, at, _, _ in rows]
        helpful = sum(1 for *_, h in rows if h is True)
        not_helpful = sum(1 for *_, h in rows if h is False)
        rated = _few(helpful + not_helpful, min_group) is not None  # "1 of 1 rated" tells how one rated
        weeks.append(
            Week(
                start=start,
                end=end,
                active_users=_few(active[i], min_group),
                went_quiet=_few(went_quiet[i], min_group),
                uses=uses[i],
                minutes_measured=measured[i],
                minutes_estimated=estimated[i] if shown else None,
                estimates=estimates[i] if shown else None,
                friction_new=friction_new[i],
                friction_fixed=friction_fixed[i],
                flags_raised=flags_raised[i],
                flags_answered=len(rows),
                answered_within_sla=sum(1 for _, at, due, _ in rows if at <= due),
                median_hours_to_answer=round(median(hours), 1) if hours else None,
                helpful=helpful if rated else None,
                not_helpful=not_helpful if rated else None,
            )
        )
    return tuple(weeks)


def _active(
    session: Session, system: str, windows: Sequence[tuple[datetime, datetime]]
) -> tuple[list[int], list[int]]:
    """How many humans used the system each week, and how many of the week before's did not: counted in
    SQL from the distinct (week, human) pairs, never brought into Python (a year is 100,000s of pairs)."""
    first = windows[0][0] - WEEK  # the week before the first: who went quiet in the first week
    span = days.cover(session=session, system=system, start=first, end=windows[-1][1])
    pairs = union(  # the events' and the rolled-up days' (week, human) pairs, each pair once
        select(week_of(col(UsageEvent.at), first).label("week"), days.who().label("who")).where(span.events),
        select(span.week_of_day().label("week"), col(UsageDay.who).label("who")).where(span.days),
    ).cte("active_pairs")
    # Each pair with the human's next active week: no next, or not the week after, and they went quiet.
    following = func.lead(pairs.c.week).over(partition_by=pairs.c.who, order_by=pairs.c.week)
    marked = select(pairs.c.week, following.label("next")).subquery()
    left = case((or_(marked.c.next.is_(None), marked.c.next != marked.c.week + 1), 1), else_=0)
    n = len(windows)
    active, went_quiet = [0] * n, [0] * n
    for i, count, quiet in session.exec(
        select(marked.c.week, func.count(), func.sum(left)).group_by(marked.c.week)
    ).all():
        if i >= 1:
            active[i - 1] = int(count)  # pair week i is window i - 1
        if i < n:
            went_quiet[i] = int(quiet or 0)  # active in the week before window i, not in it
    return active, went_quiet


def _bucket(column: Any, windows: Sequence[tuple[datetime, datetime]]) -> Any:
    """The index of the window a row's time falls in (rows are already limited to the windows' span)."""
    return week_of(column, windows[0][0])


def _per_week(
    session: Session, column: Any, windows: Sequence[tuple[datetime, datetime]], *where: Any
) -> list[int]:
    counts = [0] * len(windows)
    week = _bucket(column, windows)
    for i, count in session.exec(
        select(week, func.count())
        .where(*where, *_within(column, windows[0][0], windows[-1][1]))
        .group_by(week)
    ).all():
        counts[i] = int(count)
    return counts


def _few(people: int, min_group: int) -> int | None:
    """The count, or None when it is a handful of people who could be told apart."""
    return None if 0 < people < min_group else people


def _stages(session: Session, programmes: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(STAGES, 0)
    if programmes:
        query = (
            select(Enrolment.stage, func.count())
            .where(col(Enrolment.programme_key).in_(programmes))
            .group_by(col(Enrolment.stage))
        )
        for stage, number in session.exec(query).all():
            counts[stage] = counts.get(stage, 0) + int(number)
    return counts


def _count(session: Session, table: Any, *where: Any) -> int:
    return int(session.exec(select(func.count()).select_from(table).where(and_(*where))).one() or 0)


def _within(column: Any, start: datetime, end: datetime) -> Iterable[Any]:
    return (column >= start, column < end)
