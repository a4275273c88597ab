"""The weekly gap check: every admin gets the systems' failing readiness checks, then it re-schedules."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot import attention
from bot.config import Settings
from bot.content import Content
from bot.markdown import escape
from bot.messages import Context, Header, Message, Text
from bot.ownership.weekly_check import WEEKLY
from bot.people import service as people
from bot.policy.model import Kind
from bot.readiness import service
from bot.readiness.checks import SystemReadiness, best_action, readiness
from bot.schedule import service as schedule
from bot.schedule.models import DueWork
from bot.schedule.ticker import Handler


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    def weekly(session: Session, job: DueWork, now: datetime) -> None:
        send_gaps(session=session, content=content, settings=settings, now=now)
        schedule.upsert(
            session=session, kind=WEEKLY, subject=job.subject, due_at=job.due_at + timedelta(days=7), now=now
        )

    return {WEEKLY: weekly}


def gaps_message(systems: list[SystemReadiness]) -> Message | None:
    failing = [(s, s.failing) for s in systems if s.failing]
    if not failing:
        return None
    blocks: list[Header | Text | Context] = [Header("Weekly ownership check: gaps to fill")]
    for item, checks in failing:
        lines = "\n".join(f"- {escape(c.name)}: {escape(c.reason)}" for c in checks)
        best = best_action(item)
        first = (
            ""
            if best is None
            else f"\nThe one action that raises it most (×{best[0].weight}): {escape(best[1])}"
        )
        blocks.append(Text(f"**{escape(item.name)}** ({item.score}/100){first}\n{lines}"))
    blocks.append(Context("Type `readiness` for the full picture, `owners set` to fill a role."))
    return Message(summary="Weekly ownership check: gaps to fill", blocks=tuple(blocks))


def send_gaps(*, session: Session, content: Content, settings: Settings, now: datetime) -> int:
    systems = readiness(session=session, content=content, now=now)
    service.record_week(session=session, systems=systems, now=now)
    message = gaps_message(systems)
    if message is None:
        return 0
    admins = list(people.admins(session=session))
    policy = attention.of(session=session, settings=settings, content=content, now=now)
    for admin in admins:
        policy.deliver(admin, message, key=f"readiness:gaps:{now:%Y-%m-%d}:{admin.id}", kind=Kind.reminder)
    return len(admins)
