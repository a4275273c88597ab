"""An example organisation's history: people at every stage, usage, flags with answers, friction,
announcements with acknowledgements, over the weeks before `now`.

The demo seeds a dozen weeks of it for a few dozen people on a new database, so that the dashboard,
`outcomes` and `readiness` show what a real rollout looks like; the benchmarks seed a year of it for
thousands (`bench/populate.py`). Rows go in as bulk inserts (a year for 5,000 people is ~10^5 rows);
the randomness is seeded, so the same call makes the same history. Nobody in it has a chat identity,
so the coach never messages them: they are figures, not people to talk to.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from bot.announcements.models import (
    Announcement,
    AnnouncementQuestion,
    AnnouncementRecipient,
    AnnouncementState,
)
from bot.content import STAGES, Content
from bot.escalations.models import Escalation, FaqEntry
from bot.escalations.models import Status as FlagStatus
from bot.friction.models import FrictionNote, FrictionReport
from bot.friction.models import Status as FrictionStatus
from bot.outbox.models import OutboxKind, OutboxMessage, OutboxState
from bot.ownership import service as ownership
from bot.people.models import Person
from bot.programmes import service as programmes
from bot.programmes.models import Enrolment, PulseAnswer, StepProgress
from bot.usage import days
from bot.usage.models import UsageEvent

WEEK = timedelta(days=7)
ANNOUNCEMENT_KEY = "demo-history-"  # the announcements' client keys: how `remove_history` finds them
DOMAIN = "example.org"  # the example organisation's people: apart from systems.yaml's example.com
FIRST = (
    "Alex",
    "Bo",
    "Chen",
    "Dana",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ines",
    "Jon",
    "Kai",
    "Lea",
    "Mei",
    "Nico",
    "Ola",
    "Pia",
    "Quinn",
    "Rui",
    "Sara",
    "Tom",
    "Uli",
    "Vera",
    "Wen",
    "Yara",
    "Zoe",
)
LAST = (
    "Abbott",
    "Berg",
    "Costa",
    "Dahl",
    "Evans",
    "Fox",
    "Garcia",
    "Holm",
    "Ito",
    "Jensen",
    "Khan",
    "Lund",
    "Moreau",
    "Nagy",
    "Okafor",
    "Park",
    "Quist",
    "Rossi",
    "Silva",
    "Tan",
)
TRYING = (
    "summarise the weekly sales meeting notes",
    "draft a reply to a supplier about late delivery",
    "find the travel policy for contractors",
    "summarise a long email thread for my manager",
    "find the latest pricing sheet in the shared drive",
    "check a supplier contract for the liability clause",
)
WENT_WRONG = (
    "the summary left out the action items",
    "it could not find the document in the shared drive",
    "the answer quoted an outdated policy",
    "it timed out on a long email thread",
    "the redline missed the liability clause",
)
OUTPUTS = (
    "The travel policy allows business class on all flights over two hours.",
    "The contract renews automatically in March 2027 unless cancelled in writing.",
    "Your remaining holiday allowance is 31 days.",
    "Clause 14.2 matches our standard terms.",
)
ANSWER = "Thanks for flagging this. The assistant used an old version of the page; the current rule is in the runbook."


@dataclass(frozen=True)
class Made:
    people: int
    usage: int
    flags: int
    reports: int
    announcements: int


def seed_history(
    *, session: Session, content: Content, now: datetime, people: int = 48, weeks: int = 12, seed: int = 18
) -> Made:
    """`weeks` weeks of history for `people` people of the example organisation, ending at `now`."""
    pick = random.Random(seed)
    programme = content.programmes[min(content.programmes)]
    programmes.remember_version(
        session=session, programme=programme, source=content.sources[programme.key], now=now
    )
    systems = list(content.systems)
    start = now - WEEK * weeks
    emails = [_email(i) for i in range(people)]
    session.execute(
        insert(Person),
        [
            {
                "email": e,
                "display_name": _name(i),
                "timezone": "Europe/Berlin",
                "workday_start": 9,
                "workday_end": 17,
                "is_admin": False,
                "is_owner": False,
                "active": True,
                "stopped": False,
                "created_at": start,
            }
            for i, e in enumerate(emails)
        ],
    )
    ids: dict[str, int] = {
        email: person_id
        for email, person_id in session.exec(
            select(Person.email, Person.id).where(col(Person.email).like(f"%@{DOMAIN}"))
        ).all()
        if email is not None and person_id is not None
    }
    everyone = [(ids[e], e) for e in emails]

    # Enrolments: more people join early on; the longer someone has been in, the further they got.
    enrolments: list[dict[str, Any]] = []
    for person_id, _ in everyone:
        joined = start + timedelta(seconds=weeks * WEEK.total_seconds() * pick.random() ** 1.6)
        weeks_in = (now - joined) / WEEK
        reach = min(len(STAGES) - 1, int(pick.random() * (1 + weeks_in / 2.5)))
        stage_at = joined + (now - joined) * pick.uniform(0.2, 0.9)
        enrolments.append(
            {
                "person_id": person_id,
                "programme_key": programme.key,
                "version": programme.version,
                "stage": STAGES[reach],
                "stage_at": stage_at if reach else joined,
                "enrolled_at": joined,
                "enrolled_by": "import",
            }
        )
    session.execute(insert(Enrolment), enrolments)
    enrolment_ids: dict[int, int | None] = dict(
        session.exec(
            select(Enrolment.person_id, Enrolment.id).where(col(Enrolment.person_id).in_(list(ids.values())))
        ).all()
    )

    usage: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    activity = {"invited": 0.0, "onboarded": 0.25, "activated": 0.55, "habitual": 0.85, "champion": 0.95}
    for row, (person_id, email) in zip(enrolments, everyone, strict=True):
        system = systems[0] if pick.random() < 0.7 or len(systems) == 1 else pick.choice(systems[1:])
        week_start = row["enrolled_at"]
        sending = 0
        while week_start < now:
            stage = (
                row["stage"]
                if week_start >= row["stage_at"]
                else STAGES[max(0, STAGES.index(row["stage"]) - 1)]
            )
            if pick.random() < activity[stage]:
                for _ in range(pick.randint(1, 6)):
                    at = week_start + timedelta(seconds=pick.randrange(int(WEEK.total_seconds())))
                    if at >= now:
                        continue
                    measured = pick.random() < 0.6
                    usage.append(
                        {
                            "external_id": f"demo-{person_id}-{len(usage)}",
                            "person_id": person_id,
                            "person_handle": email,
                            "system_key": system,
                            "kind": "minutes_saved" if measured else "used",
                            "value": float(pick.randint(10, 60)) if measured else None,
                            "at": at,
                            "received_at": at,
                        }
                    )
                if pick.random() < 0.5 and sending < 3:
                    sending += 1
                    answers.append(
                        {
                            "person_id": person_id,
                            "programme_key": programme.key,
                            "step_key": "minutes-saved",
                            "question_key": "minutes_saved",
                            "number": float(pick.choice((0, 15, 30, 45, 60, 90, 120))),
                            "at": min(now, week_start + timedelta(days=4)),
                            "enrolment_id": enrolment_ids[person_id],
                            "sending": sending,
                        }
                    )
            week_start += WEEK
    for chunk in _chunks(usage, 20_000):
        session.execute(insert(UsageEvent), chunk)
    days.forget_all(session=session)  # a history written behind the rollup: rolled up afresh when next read
    if answers:
        session.execute(insert(PulseAnswer), answers)

    flags = _flags(session, content, pick, everyone, systems, start, now, weeks, scale=max(1, people // 48))
    reports = _friction(
        session, content, pick, everyone, systems, start, now, weeks, scale=max(1, people // 48)
    )
    announced = _announcements(session, pick, everyone, systems, content, start, now, weeks)
    session.flush()
    return Made(people=people, usage=len(usage), flags=flags, reports=reports, announcements=announced)


def _flags(
    session: Session,
    content: Content,
    pick: random.Random,
    everyone: Sequence[tuple[int, str]],
    systems: Sequence[str],
    start: datetime,
    now: datetime,
    weeks: int,
    scale: int,
) -> int:
    rows: list[dict[str, Any]] = []
    reasons = ("wrong", "wrong", "unclear", "unclear", "outdated", "harmful", "other")
    for key in systems:
        owner = ownership.holder(session=session, system=key, role="escalation_owner")
        sla = content.systems[key].sla
        for week in range(weeks):
            for _ in range(pick.randint(0, 3) * scale):
                created = start + WEEK * week + timedelta(seconds=pick.randrange(int(WEEK.total_seconds())))
                if created >= now:
                    continue
                answered = created + timedelta(hours=pick.uniform(1, sla.answer_hours * 2.2))
                done = answered < now - timedelta(hours=6) or pick.random() < 0.1
                acknowledged = created + timedelta(hours=pick.uniform(0.2, sla.acknowledge_hours * 1.5))
                rows.append(
                    {
                        "system_key": key,
                        "flagger_id": pick.choice(everyone)[0],
                        "owner_id": owner.id if owner else None,
                        "anonymous": False,
                        "reason": pick.choice(reasons),
                        "expected": "",
                        "output_text": pick.choice(OUTPUTS),
                        "status": (FlagStatus.resolved if answered < now - WEEK else FlagStatus.answered)
                        if done
                        else FlagStatus.open,
                        "answer": ANSWER if done else None,
                        "answered_by": owner.id if owner and done else None,
                        "helpful": (pick.random() < 0.8) if done else None,
                        "acknowledge_hours": sla.acknowledge_hours,
                        "answer_hours": sla.answer_hours,
                        "acknowledge_due_at": created + timedelta(hours=sla.acknowledge_hours * 2),
                        "answer_due_at": created + timedelta(hours=sla.answer_hours * 1.75),
                        "created_at": created,
                        "acknowledged_at": acknowledged if done or acknowledged < now else None,
                        "answered_at": answered if done else None,
                        "resolved_at": answered + timedelta(days=2)
                        if done and answered < now - WEEK
                        else None,
                        "card_address": {},
                    }
                )
    if rows:
        session.execute(insert(Escalation), rows)
        published = session.exec(
            select(Escalation)
            .where(col(Escalation.answer).is_not(None))
            .order_by(col(Escalation.id))
            .limit(3)
        ).all()
        for row in published:
            session.add(
                FaqEntry(
                    system_key=row.system_key,
                    escalation_id=row.id,
                    output_text=row.output_text,
                    question=f"Is it right that: {row.output_text}",
                    answer=ANSWER,
                    published_by=row.answered_by,
                    created_at=row.answered_at or now,
                )
            )
    return len(rows)


def _friction(
    session: Session,
    content: Content,
    pick: random.Random,
    everyone: Sequence[tuple[int, str]],
    systems: Sequence[str],
    start: datetime,
    now: datetime,
    weeks: int,
    scale: int,
) -> int:
    categories = [c.key for c in content.friction.categories]
    severities = content.friction.severities
    rows: list[dict[str, Any]] = []
    for week in range(weeks):
        for _ in range(pick.randint(1, 4) * scale):
            created = start + WEEK * week + timedelta(seconds=pick.randrange(int(WEEK.total_seconds())))
            if created >= now:
                continue
            age = (now - created) / WEEK
            status = (
                pick.choice(
                    (
                        FrictionStatus.fixed,
                        FrictionStatus.fixed,
                        FrictionStatus.closed,
                        FrictionStatus.wont_fix,
                    )
                )
                if pick.random() < min(0.9, age / 4)
                else pick.choice((FrictionStatus.new, FrictionStatus.triaged, FrictionStatus.planned))
            )
            severity = pick.choice(severities)
            closed = status in (FrictionStatus.fixed, FrictionStatus.closed, FrictionStatus.wont_fix)
            rows.append(
                {
                    "reporter_id": pick.choice(everyone)[0],
                    "anonymous": pick.random() < 0.3,
                    "system_key": pick.choice(systems),
                    "category": pick.choice(categories),
                    "severity": severity.key,
                    "urgent": severity.urgent,
                    "trying_to": pick.choice(TRYING),
                    "details": pick.choice(WENT_WRONG),
                    "status": status,
                    "reason": "works as designed" if status == FrictionStatus.wont_fix else None,
                    "revision": 1 if closed else 0,
                    "created_at": created,
                    "updated_at": min(now, created + timedelta(days=pick.uniform(1, 12)))
                    if closed
                    else created,
                    "routed_at": created,
                }
            )
    if rows:
        session.execute(insert(FrictionReport), rows)
    return len(rows)


def _announcements(
    session: Session,
    pick: random.Random,
    everyone: Sequence[tuple[int, str]],
    systems: Sequence[str],
    content: Content,
    start: datetime,
    now: datetime,
    weeks: int,
) -> int:
    made = 0
    for week in range(1, weeks, 3):
        sent = start + WEEK * week + timedelta(days=1, hours=8)
        if sent >= now:
            continue
        system = systems[made % len(systems)]
        name = content.systems[system].name
        announcement = Announcement(
            title=f"{name}: what changed this month",
            body=f"{name} has a new model version and faster answers.",
            system_key=system,
            audience_kind="people",
            audience_param="",
            ack_required=True,
            author_name="Dev",
            state=AnnouncementState.done,
            recipients=len(everyone),
            fanned_out=len(everyone),
            created_at=sent,
            confirmed_at=sent,
            client_key=f"{ANNOUNCEMENT_KEY}{made}",
        )
        session.add(announcement)
        session.flush()
        assert announcement.id is not None
        outbox: list[dict[str, Any]] = []
        recipients: list[dict[str, Any]] = []
        for person_id, email in everyone:
            key = f"announcement:{announcement.id}:person:{person_id}"
            reached = pick.random() < 0.93
            outbox.append(
                {
                    "idempotency_key": key,
                    "platform": "local",
                    "address": {"user": email},
                    "payload": {},
                    "person_id": person_id,
                    "kind": OutboxKind.announcement,
                    "state": OutboxState.sent if reached else OutboxState.unreachable,
                    "attempts": 1 if reached else 0,
                    "next_attempt_at": sent,
                    "created_at": sent,
                    "sent_at": sent if reached else None,
                }
            )
            acknowledged = (
                sent + timedelta(hours=pick.uniform(0.5, 30)) if reached and pick.random() < 0.7 else None
            )
            recipients.append(
                {
                    "announcement_id": announcement.id,
                    "person_id": person_id,
                    "outbox_key": key,
                    "acknowledged_at": acknowledged if acknowledged and acknowledged < now else None,
                }
            )
        session.execute(insert(OutboxMessage), outbox)
        session.execute(insert(AnnouncementRecipient), recipients)
        made += 1
    return made


def remove_history(*, session: Session) -> None:
    """Everything `seed_history` made (its people, their rows and its announcements), for a re-seed."""
    people = select(Person.id).where(col(Person.email).like(f"%@{DOMAIN}"))
    announcements = select(Announcement.id).where(col(Announcement.client_key).startswith(ANNOUNCEMENT_KEY))
    flags = select(Escalation.id).where(col(Escalation.flagger_id).in_(people))
    reports = select(FrictionReport.id).where(col(FrictionReport.reporter_id).in_(people))
    enrolments = select(Enrolment.id).where(col(Enrolment.person_id).in_(people))
    days.forget_all(session=session)  # its rows name the people about to go
    for statement in (
        delete(FaqEntry).where(col(FaqEntry.escalation_id).in_(flags)),
        delete(Escalation).where(col(Escalation.id).in_(flags)),
        delete(FrictionNote).where(col(FrictionNote.report_id).in_(reports)),
        delete(FrictionReport).where(col(FrictionReport.id).in_(reports)),
        delete(AnnouncementRecipient).where(col(AnnouncementRecipient.announcement_id).in_(announcements)),
        delete(AnnouncementQuestion).where(col(AnnouncementQuestion.announcement_id).in_(announcements)),
        delete(OutboxMessage).where(col(OutboxMessage.person_id).in_(people)),
        delete(Announcement).where(col(Announcement.id).in_(announcements)),
        delete(PulseAnswer).where(col(PulseAnswer.person_id).in_(people)),
        delete(StepProgress).where(col(StepProgress.enrolment_id).in_(enrolments)),
        delete(Enrolment).where(col(Enrolment.id).in_(enrolments)),
        delete(UsageEvent).where(col(UsageEvent.person_id).in_(people)),
        delete(Person).where(col(Person.id).in_(people)),
    ):
        session.exec(statement)
    session.flush()


def _chunks(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _email(i: int) -> str:
    return (
        f"{FIRST[i % len(FIRST)].lower()}.{LAST[(i // len(FIRST)) % len(LAST)].lower()}{_suffix(i)}@{DOMAIN}"
    )


def _name(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"


def _suffix(i: int) -> str:
    n = i // (len(FIRST) * len(LAST))
    return str(n) if n else ""
