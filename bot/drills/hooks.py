"""The drill's end: the report, kept on the drill and sent to the admins and the stand-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import attention
from bot.config import Settings
from bot.content import Content
from bot.drills import messages as m
from bot.drills import service
from bot.messages import Message
from bot.ownership.models import Drill
from bot.people import service as people
from bot.people.models import Person
from bot.policy.model import Kind
from bot.schedule.models import DueWork
from bot.schedule.ticker import Handler

END = "drill.end"


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    def end(session: Session, job: DueWork, now: datetime) -> None:
        drill = session.get(Drill, job.payload.get("drill"))
        if drill is None or not drill.running:
            return
        report = service.finish(session=session, content=content, drill=drill, now=now, stopped_by=None)
        send_report(session=session, content=content, settings=settings, drill=drill, report=report, now=now)

    return {END: end}


def send_report(
    *,
    session: Session,
    content: Content,
    settings: Settings,
    drill: Drill,
    report: dict[str, Any],
    now: datetime,
    skip: int | None = None,
) -> Message:
    """Send the report to the admins, whoever started it and the stand-ins; returns it."""
    system = content.systems.get(drill.system_key)
    name = system.name if system is not None else drill.system_key
    everyone: dict[int, Person] = {p.id: p for p in people.admins(session=session) if p.id is not None}
    for person_id in {drill.started_by, *drill.standins.values()}:
        person = session.get(Person, person_id)
        if person is not None:
            everyone[person_id] = person
    names = {pid: (p.display_name or p.email or f"person {pid}") for pid, p in everyone.items()}
    message = m.report_message(drill=drill, system_name=name, report=report, names=names)
    policy = attention.of(session=session, settings=settings, content=content, now=now)
    for pid, who in everyone.items():
        if pid != skip:
            policy.deliver(who, message, key=f"drill:{drill.id}:report:{pid}", kind=Kind.reminder)
    return message
