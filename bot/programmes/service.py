"""Persistence for enrolments, step progress, programme versions, pulse answers and previews."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.content import Content, Programme, parse_programme
from bot.programmes.models import (
    Enrolment,
    PreviewStep,
    ProgrammePreview,
    ProgrammeVersion,
    PulseAnswer,
    StepProgress,
)
from bot.store.snapshot import shared
from bot.usage.models import UsageEvent


def enrol(
    *,
    session: Session,
    person_id: int,
    programme: Programme,
    source: str,
    now: datetime,
    by: str,
    new_person: bool = False,
) -> tuple[Enrolment, bool]:
    """Enrol a person (once per programme); returns (enrolment, created). `new_person`: created in this
    unit of work, so enrolled nowhere yet (a first contact: no query to find out)."""
    existing = (
        None
        if new_person
        else get_enrolment(session=session, person_id=person_id, programme_key=programme.key)
    )
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
    session.add(enrolment)
    session.flush()  # no savepoint: a concurrent first enrolment's unique-key race retries the unit of work
    return enrolment, True


def remember_version(*, session: Session, programme: Programme, source: str, now: datetime) -> None:
    """Store the programme's version once (every first contact asks: the process's snapshot answers)."""
    known = shared(
        session, name="programmes.versions", tables=("programme_version",), build=_versions, only_grows=True
    )
    if known is not None and (programme.key, programme.version) in known:
        return
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


def _versions(session: Session) -> frozenset[tuple[str, str]]:
    v = ProgrammeVersion
    return frozenset(session.exec(select(v.programme_key, v.version)).all())


def remember_versions(*, session: Session, content: Content, now: datetime) -> None:
    """Every current programme's version, stored at start-up: two first contacts at once on PostgreSQL
    would otherwise both insert it inside their units of work and could deadlock on that row."""
    for key, programme in content.programmes.items():
        remember_version(session=session, programme=programme, source=content.sources[key], now=now)


def programme_for(*, session: Session, content: Content, enrolment: Enrolment) -> Programme:
    """The version the person enrolled in: the current file if unchanged, else the stored copy."""
    return programme_version(
        session=session, content=content, key=enrolment.programme_key, version=enrolment.version
    )


def programme_version(*, session: Session, content: Content, key: str, version: str) -> Programme:
    current = content.programmes.get(key)
    if current is not None and current.version == version:
        return current
    stored = session.get(ProgrammeVersion, (key, version))
    if stored is None:
        if current is None:
            raise LookupError(f"programme {key!r} is gone")
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


def progress_to_change(*, session: Session, enrolment_id: int, step_key: str) -> StepProgress:
    """A step's progress, locked until the unit of work ends (PostgreSQL: FOR UPDATE), so that two
    clicks on one step at the same moment are decided one after the other."""
    row = session.exec(
        select(StepProgress)
        .where(StepProgress.enrolment_id == enrolment_id, StepProgress.step_key == step_key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    return row or progress(session=session, enrolment_id=enrolment_id, step_key=step_key)


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
    enrolment_id: int | None = None,
    sending: int | None = None,
) -> PulseAnswer:
    answer = PulseAnswer(
        person_id=person_id,
        programme_key=programme_key,
        step_key=step_key,
        question_key=question_key,
        number=number,
        text=text,
        at=now,
        enrolment_id=enrolment_id,
        sending=sending,
    )
    session.add(answer)
    session.flush()  # a second answer to one sending stops here (uq_pulse_answer_sending)
    return answer


def answer_to(*, session: Session, enrolment_id: int, step_key: str, sending: int) -> PulseAnswer | None:
    """The answer given to one sending of a step; answers kept before sendings were counted count as
    answers to the step's first sending."""
    found = session.exec(
        select(PulseAnswer).where(
            PulseAnswer.enrolment_id == enrolment_id,
            PulseAnswer.step_key == step_key,
            PulseAnswer.sending == sending,
        )
    ).first()
    if found is not None or sending != 1:
        return found
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        return None
    return session.exec(
        select(PulseAnswer).where(
            PulseAnswer.person_id == enrolment.person_id,
            PulseAnswer.programme_key == enrolment.programme_key,
            PulseAnswer.step_key == step_key,
            col(PulseAnswer.sending).is_(None),
        )
    ).first()


def answers_of(*, session: Session, person_id: int, programme_key: str, limit: int = 10) -> list[PulseAnswer]:
    """A person's latest answers in one programme, newest first."""
    return list(
        session.exec(
            select(PulseAnswer)
            .where(PulseAnswer.person_id == person_id, PulseAnswer.programme_key == programme_key)
            .order_by(col(PulseAnswer.at).desc(), col(PulseAnswer.id).desc())
            .limit(limit)
        ).all()
    )


# --- previews ----------------------------------------------------------------------------------


def start_preview(
    *, session: Session, person_id: int, programme: Programme, source: str, now: datetime
) -> ProgrammePreview:
    remember_version(session=session, programme=programme, source=source, now=now)
    preview = ProgrammePreview(
        person_id=person_id, programme_key=programme.key, version=programme.version, started_at=now
    )
    session.add(preview)
    session.flush()
    return preview


def preview_step_to_change(*, session: Session, preview_id: int, step_key: str) -> PreviewStep:
    """One step of a preview, locked like `progress_to_change`."""
    row = session.exec(
        select(PreviewStep)
        .where(PreviewStep.preview_id == preview_id, PreviewStep.step_key == step_key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        row = PreviewStep(preview_id=preview_id, step_key=step_key)
        session.add(row)
        session.flush()
    return row


def latest_previews(*, session: Session, person_id: int) -> list[tuple[ProgrammePreview, int]]:
    """Each programme's latest preview by this person, with how many of its steps they clicked."""
    previews = session.exec(
        select(ProgrammePreview)
        .where(ProgrammePreview.person_id == person_id)
        .order_by(col(ProgrammePreview.id).desc())
    ).all()
    latest: dict[str, ProgrammePreview] = {}
    for preview in previews:
        latest.setdefault(preview.programme_key, preview)
    out = []
    for preview in latest.values():
        clicked = session.exec(
            select(func.count())
            .select_from(PreviewStep)
            .where(
                PreviewStep.preview_id == preview.id,
                (col(PreviewStep.done_at).is_not(None)) | (col(PreviewStep.answer).is_not(None)),
            )
        ).one()
        out.append((preview, int(clicked)))
    return out


def usage_signals(*, session: Session, person_id: int, system: str) -> tuple[int, list[date]]:
    """(uses, distinct days with usage) of one person on one system."""
    rows = session.exec(
        select(UsageEvent.at).where(UsageEvent.person_id == person_id, UsageEvent.system_key == system)
    ).all()
    return len(rows), sorted({at.date() for at in rows})


def minutes_saved(*, session: Session, person_id: int, system: str) -> float:
    """Time saved as reported with usage events (their `value`), in minutes."""
    total = session.exec(
        select(func.sum(UsageEvent.value)).where(
            UsageEvent.person_id == person_id, UsageEvent.system_key == system
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
            UsageEvent.person_id == person_id, UsageEvent.system_key == system
        )
    ).all()
    return UsageSummary(
        uses=len(rows),
        days=sorted({at.date() for at, _ in rows}),
        minutes_saved=float(sum(v for _, v in rows if v is not None)),
        last=max((at for at, _ in rows), default=None),
    )
