"""Retention: what is erased once it is older than its period, and the weekly rollup that keeps outcomes
true after raw rows are gone.

`COACH_RETENTION` sets each period in days (`flags=365,friction=365,questions=365,usage=400,outbox=90,
transcripts=30`, the defaults); `COACH_RETENTION_FLOOR` sets, per kind, the least the organisation must
keep (a period below its floor stops start-up, naming both: `bot.config.parse_retention`). Usage has a
built-in floor: the outcomes report reaches back `MAX_WEEKS` + 1 weeks, and a report must never change
because raw rows were deleted.

The daily job (`privacy.retention`, due work created at start-up):
1. rolls up every finished calendar week (Monday 00:00 UTC) not rolled up yet, per system, with the
   outcomes service itself, so the figures are the report's;
2. erases what is older than its period: flagged outputs and what the flagger wrote (the flag's SLA record
   stays, anonymous), the text of questions asked about an announcement (its answer and dates stay),
   friction reports' text and notes (category, severity and status stay, anonymous), usage events (only
   in weeks already rolled up), the payloads and addresses of outbox messages that are finished (their
   state stays: announcement counts read it), finished due work, local chat lines.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, delete, update
from sqlmodel import Session, col, func, select

from bot.announcements.models import AnnouncementQuestion
from bot.config import Settings
from bot.content import Content
from bot.escalations.models import Escalation
from bot.friction.models import FrictionNote, FrictionReport
from bot.messages import dump_message, text_message
from bot.outbox.models import OutboxMessage, OutboxState
from bot.outcomes.service import WEEK, outcomes
from bot.privacy.models import WeeklyRollup
from bot.schedule.models import DueState, DueWork
from bot.transcripts.models import TranscriptLine
from bot.usage import days
from bot.usage.models import UsageEvent

ERASED = "[erased after the retention period]"


@dataclass(frozen=True)
class Retention:
    days: dict[str, int]

    @classmethod
    def of(cls, settings: Settings) -> Retention:
        return cls(settings.retention_days)

    def cutoff(self, kind: str, now: datetime) -> datetime:
        return now - timedelta(days=self.days[kind])


# --- the weekly rollup ------------------------------------------------------------------------------


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week holding `moment`."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def roll_up(*, session: Session, content: Content, now: datetime, min_group: int) -> int:
    """Freeze every finished week since the first usage not rolled up yet; how many rows were written."""
    first = session.exec(select(func.min(UsageEvent.at))).one()
    if first is None:
        return 0
    done = {(r.system_key, r.week_start) for r in session.exec(select(WeeklyRollup))}
    written = 0
    week = week_start(first)
    last = week_start(now)  # this week is not finished
    while week < last:
        if all((key, week) in done for key in content.systems):
            week += WEEK
            continue
        for system in outcomes(
            session=session, content=content, now=week + WEEK, min_group=min_group, weeks=1
        ):
            if (system.key, week) in done:
                continue
            figures = _json(asdict(system.weeks[0]))
            session.add(
                WeeklyRollup(system_key=system.key, week_start=week, figures=figures, rolled_up_at=now)
            )
            written += 1
        week += WEEK
    return written


def rolled_up_until(*, session: Session) -> datetime | None:
    """The end of the newest week every system has figures for (usage before it may go)."""
    newest = session.exec(select(func.max(WeeklyRollup.week_start))).one()
    return newest + WEEK if newest is not None else None


def history(*, session: Session, system: str) -> list[dict[str, Any]]:
    rows = session.exec(
        select(WeeklyRollup).where(WeeklyRollup.system_key == system).order_by(col(WeeklyRollup.week_start))
    )
    return [{"week_start": r.week_start.isoformat(), **r.figures} for r in rows]


def _json(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in value.items()}


# --- erasing --------------------------------------------------------------------------------------


def purge(*, session: Session, now: datetime, retention: Retention) -> dict[str, int]:
    """Erase what is older than its period; how many rows of each kind were erased or deleted."""
    counts: dict[str, int] = {}
    cutoff = retention.cutoff("flags", now)
    counts["flags"] = _n(session.execute(
        update(Escalation)
        .where(col(Escalation.created_at) < cutoff, col(Escalation.output_text) != ERASED)
        .values(output_text=ERASED, reason=ERASED, expected=ERASED, source_link=None, trace_id=None, anonymous=True)
    ))  # fmt: skip
    cutoff = retention.cutoff("friction", now)
    old = select(FrictionReport.id).where(col(FrictionReport.updated_at) < cutoff)
    counts["friction"] = _n(session.execute(
        update(FrictionReport)
        .where(col(FrictionReport.updated_at) < cutoff, col(FrictionReport.details) != ERASED)
        .values(trying_to=ERASED, details=ERASED, reason=None, anonymous=True)
    ))  # fmt: skip
    session.execute(update(FrictionNote).where(col(FrictionNote.report_id).in_(old)).values(text=ERASED))
    cutoff = retention.cutoff("questions", now)
    counts["questions"] = _n(session.execute(
        update(AnnouncementQuestion)
        .where(col(AnnouncementQuestion.asked_at) < cutoff, col(AnnouncementQuestion.text) != ERASED)
        .values(text=ERASED)
    ))  # fmt: skip
    cutoff = min(
        retention.cutoff("usage", now), rolled_up_until(session=session) or datetime.min.replace(tzinfo=UTC)
    )
    counts["usage"] = _n(session.execute(delete(UsageEvent).where(col(UsageEvent.at) < cutoff)))
    if counts["usage"]:
        days.forget_before(session=session, moment=cutoff)
    cutoff = retention.cutoff("outbox", now)
    finished = (OutboxState.sent, OutboxState.dead, OutboxState.cancelled)
    blank = dump_message(text_message(ERASED))
    counts["outbox"] = _n(session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.created_at) < cutoff, col(OutboxMessage.state).in_(finished),
               cast(OutboxMessage.payload, Text) != json.dumps(blank))  # once per row
        .values(payload=blank, address={}, last_error=None)
    ))  # fmt: skip
    counts["due_work"] = _n(session.execute(
        delete(DueWork).where(col(DueWork.state).in_((DueState.done, DueState.cancelled)),
                              col(DueWork.done_at) < cutoff)
    ))  # fmt: skip
    cutoff = retention.cutoff("transcripts", now)
    counts["transcripts"] = _n(session.execute(delete(TranscriptLine).where(col(TranscriptLine.at) < cutoff)))
    return counts


def _n(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
