"""Due work of the decision log: telling a suspended or retired system's users, 200 at a time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot import attention
from bot.config import Settings
from bot.content import Content
from bot.decisions.effects import TELL_USERS
from bot.decisions.models import Decision, DecisionKind
from bot.markdown import escape
from bot.messages import Message, Quote, Text
from bot.people.models import Person
from bot.policy.model import Kind
from bot.programmes.models import Enrolment
from bot.schedule.models import DueWork
from bot.schedule.ticker import Handler

CHUNK = 200
WORDS = {
    DecisionKind.suspend: "is suspended: please stop using it until you hear otherwise",
    DecisionKind.retire: "is retired: please stop using it",
}


def handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    def tell_users(session: Session, job: DueWork, now: datetime) -> None:
        decision = session.get(Decision, job.payload.get("decision"))
        system = content.systems.get(decision.system_key) if decision else None
        if decision is None or system is None:
            return
        after = int(job.payload.get("after", 0))
        keys = [k for k, p in content.programmes.items() if p.system == system.key]
        users = session.exec(
            select(Person)
            .where(
                col(Person.id).in_(select(Enrolment.person_id).where(col(Enrolment.programme_key).in_(keys))),
                col(Person.id) > after,
                col(Person.active).is_(True),
            )
            .order_by(col(Person.id))
            .limit(CHUNK)
        ).all()
        message = Message(
            summary=f"{system.name} {WORDS[DecisionKind(decision.kind)].split(':')[0]}",
            blocks=(
                Text(f"**{escape(system.name)}** {WORDS[DecisionKind(decision.kind)]}. Why:"),
                Quote(decision.rationale),
            ),
        )
        attention.of(session=session, settings=settings, content=content, now=now).deliver_many(
            users,
            kind=Kind.announcement,
            key_for=lambda person: f"decisions:{decision.id}:user:{person.id}",
            message_for=lambda _person: message,
            critical=True,  # like a security notice: people must stop relying on it now
        )
        if len(users) == CHUNK:
            job.payload = {**job.payload, "after": users[-1].id}
            job.due_at = now + timedelta(seconds=1)  # the next chunk, on the ticker's next pass

    return {TELL_USERS: tell_users}
