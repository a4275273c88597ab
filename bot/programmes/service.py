"""Persistence for enrolments, step progress, programme versions and pulse answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.content import Content, Programme, parse_programme
from bot.programmes.models import Enrolment, ProgrammeVersion, PulseAnswer, StepProgress
from bot.usage.models import UsageEvent


def enrol(
    *, session: Session, person_id: int, programme: Programme, source: str, now: datetime, by: str
) -> tuple[Enrolment, bool]:
    """Enrol a person (once per programme); returns (enrolment, created)."""
    existing = get_enrolment(session=session, person_id=person_id, programme_key=programme.key)
    if existing is not None:
        return existing, False
    remember_version(session=session, programme=programme, source=source, now=now)
    enrolment = Enrolment(
        person_id=person_id,
        programme_key=programme.key,
        version=programme.version,
        stage_at=now,
        enrolled_at=now,
        enrolled_by=by,
    )
    with session.begin_nested():
        session.add(enrolment)
    return enrolment, True


def remember_version(*, session: Session, programme: Programme, source: str, now: datetime) -> None:
    if session.get(ProgrammeVersion, (programme.key, programme.version)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(
                ProgrammeVersion(
                    programme_key=programme.key, version=programme.version, source=source, created_at=now
                )
            )
    except IntegrityError:
        pass  # a concurrent first enrolment stored this version (the same source) first


def programme_for(*, session: Session, content: Content, enrolment: Enrolment) -> Programme:
    """The version the person enrolled in: the current file if unchanged, else the stored copy."""
    current = content.programmes.get(enrolment.programme_key)
    if current is not None and current.version == enrolment.version:
        return current
    stored = session.get(ProgrammeVersion, (enrolment.programme_key, enrolment.version))
    if stored is None:
        if current is None:
            raise LookupError(f"programme {enrolment.programme_key!r} is gone")
        return current
    return parse_programme(stored.source)


def get_enrolment(*, session: Session, person_id: int, programme_key: str) -> Enrolment | None:
    return session.exec(
        select(Enrolment).where(Enrolment.person_id == person_id, Enrolment.programme_key == programme_key)
    ).first()


def enrolments_of(*, session: Session, person_id: int) -> Sequence[Enrolment]:
    return session.exec(
        select(Enrolment).where(Enrolment.person_id == person_id).order_by(col(Enrolment.id))
    ).all()


def progress(*, session: Session, enrolment_id: int, step_key: str) -> StepProgress:
    row = session.exec(
        select(StepProgress).where(
            StepProgress.enrolment_id == enrolment_id, StepProgress.step_key == step_key
        )
    ).first()
    if row is None:
        row = StepProgress(enrolment_id=enrolment_id, step_key=step_key)
        session.add(row)
        session.flush()
    return row


def all_progress(*, session: Session, enrolment_id: int) -> dict[str, StepProgress]:
    rows = session.exec(select(StepProgress).where(StepProgress.enrolment_id == enrolment_id)).all()
    return {row.step_key: row for row in rows}


def record_answer(
    *,
    session: Session,
    person_id: int,
    programme_key: str,
    step_key: str,
    question_key: str,
    number: float | None,
    text: str | None,
    now: datetime,
) -> PulseAnswer:
    answer = PulseAnswer(
        person_id=person_id,
        programme_key=programme_key,
        step_key=step_key,
        question_key=question_key,
        number=number,
        text=text,
        at=now,
    )
    session.add(answer)
    return answer


def usage_signals(*, session: Session, person_id: int, system: str) -> tuple[int, list[date]]:
    """(uses, distinct days with usage) of one person on one system."""
    rows = session.exec(
        select(UsageEvent.at).where(UsageEvent.person_id == person_id, UsageEvent.system == system)
    ).all()
    return len(rows), sorted({at.date() for at in rows})


def minutes_saved(*, session: Session, person_id: int, system: str) -> float:
    """Time saved as reported with usage events (their `value`), in minutes."""
    total = session.exec(
        select(func.sum(UsageEvent.value)).where(
            UsageEvent.person_id == person_id, UsageEvent.system == system
        )
    ).first()
    return float(total or 0)


@dataclass(frozen=True)
class UsageSummary:
    uses: int
    days: list[date]
    minutes_saved: float
    last: datetime | None


def usage_summary(*, session: Session, person_id: int, system: str) -> UsageSummary:
    """Everything a step needs about one person's use of one system, in one query."""
    rows = session.exec(
        select(UsageEvent.at, UsageEvent.value).where(
            UsageEvent.person_id == person_id, UsageEvent.system == system
        )
    ).all()
    return UsageSummary(
        uses=len(rows),
        days=sorted({at.date() for at, _ in rows}),
        minutes_saved=float(sum(v for _, v in rows if v is not None)),
        last=max((at for at, _ in rows), default=None),
    )
