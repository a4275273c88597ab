"""The daily confirmation sweep: cards that are due, reminders, and cards that lapsed (admins told)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot import attention
from bot.config import Settings
from bot.content import Content
from bot.markdown import escape
from bot.messages import text_message
from bot.ownership import confirmations as c
from bot.ownership import leavers
from bot.people import service as people
from bot.people.models import Person
from bot.policy.model import Kind
from bot.schedule import service as schedule
from bot.schedule.models import DueWork
from bot.schedule.ticker import Handler

SWEEP = "ownership.confirmations"
EVERY = timedelta(days=1)


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    def sweep_job(session: Session, job: DueWork, now: datetime) -> None:
        sweep(session=session, content=content, settings=settings, now=now)
        job.due_at = now + EVERY

    return {SWEEP: sweep_job}


def ensure_scheduled(*, session: Session, now: datetime) -> None:
    """Called at start-up: the daily sweep exists once."""
    schedule.ensure_once(session=session, kind=SWEEP, subject=SWEEP, due_at=now + EVERY, now=now)


def sweep(*, session: Session, content: Content, settings: Settings, now: datetime) -> int:
    """Ask, remind or lapse; returns how many cards went out. Role holders whose Teams sends keep
    failing get a departure review for the admins."""
    policy = attention.of(session=session, settings=settings, content=content, now=now)
    holders = {
        pid
        for s in content.systems.values()
        for pid in c.holdings(session=session, content=content, system=s, now=now)
    }
    for person_id, failed in leavers.failing_sends(
        session=session, person_ids=sorted(holders), now=now
    ).items():
        person = session.get(Person, person_id)
        if person is not None and failed >= leavers.FAILED_SENDS:
            leavers.open_review(
                session=session, person=person, signal="unreachable",
                detail=f"Teams refused {failed} messages to them in two weeks (not in the roster, or not found).",
                policy=policy,
            )  # fmt: skip
    sent = 0
    for system, person_id, roles, last in c.due(session=session, content=content, now=now):
        person = session.get(Person, person_id)
        if person is None:
            continue
        if last is None:
            row = c.ask(session=session, system=system, person_id=person_id, roles=roles, now=now)
            policy.deliver(
                person, c.card(row, system.name), key=f"ownership:confirm:{row.id}", kind=Kind.reminder
            )
            sent += 1
            continue
        if last.answer is not None:  # a hand-over waiting for its successor
            continue
        waited = now - last.asked_at
        if last.reminders < c.REMINDERS and waited >= c.REMIND_EVERY * (last.reminders + 1):
            last.reminders += 1
            policy.deliver(
                person,
                c.card(last, system.name, reminder=True),
                key=f"ownership:confirm:{last.id}:reminder:{last.reminders}",
                kind=Kind.reminder,
            )
            sent += 1
        elif last.reminders >= c.REMINDERS and waited >= c.REMIND_EVERY * (c.REMINDERS + 1):
            c.answer(session=session, row=last, answer="lapsed", person_id=None, now=now)
            who = person.display_name or person.email or f"person {person_id}"
            note = text_message(
                f"**{escape(who)}** has not confirmed being {escape(c.role_words(last.roles))} of "
                f"**{escape(system.name)}** after {c.REMINDERS} reminders. Readiness shows the gap until "
                f"they confirm (`owners confirm {system.key}`) or an admin changes the role (`owners set`)."
            )
            for admin in people.admins(session=session):
                policy.deliver(
                    admin, note, key=f"ownership:confirm:{last.id}:lapsed:{admin.id}", kind=Kind.reminder
                )
    return sent
