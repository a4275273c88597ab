"""What the clock runs for programmes: a due step, and the triggers that schedule steps.

Timed steps are planned at enrolment as due work; event triggers (a stage reached, a usage
milestone, a step done) are planned when the event happens; an inactivity step is planned N days
after the last use and moves forward whenever the person is active, so a tick only touches what is due.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import attention
from bot.config import Settings
from bot.content import Content, Programme, Step, stage_index
from bot.outbox.models import OutboxKind
from bot.ownership import service as ownership
from bot.people.models import Person
from bot.policy.calendar import add_working_days, add_working_days_each
from bot.policy.model import PRIORITY, Action, Kind
from bot.programmes import service
from bot.programmes.messages import Stats, step_message
from bot.programmes.models import Enrolment, StepProgress
from bot.programmes.stages import Signals, as_stage, compute_stage
from bot.schedule import service as schedule
from bot.schedule.models import DueWork

log = logging.getLogger(__name__)

STEP = "programme.step"
# A newcomer hears the latest change to the system they start on, once: due work planned with their
# steps, which announcements' hooks run (announcements read programmes; programmes never import them).
LATEST_CHANGE = "announcements.latest_change"  # due work kind: stored, so it keeps its name
SUSPENDED_RECHECK = timedelta(days=1)
KIND = {"nudge": Kind.nudge, "tip": Kind.tip, "check_in": Kind.question, "question": Kind.question}


def subject(enrolment_id: int, step_key: str) -> str:
    return f"programme:{enrolment_id}:{step_key}"


def plan_enrolment(
    *,
    session: Session,
    enrolment: Enrolment,
    programme: Programme,
    person: Person,
    settings: Settings,
    content: Content,
    now: datetime,
) -> None:
    """Schedule every timed step and the inactivity steps of a new enrolment, and the latest change to
    its system."""
    assert enrolment.id is not None
    # Working days need the person's calendar only, not their recent messages (no query).
    state = attention.calendar_for(person=person, settings=settings, holidays=content.holidays)
    start = enrolment.enrolled_at
    counts = (s.after_working_days for s in programme.steps if s.after_working_days is not None)
    working_days = add_working_days_each(start, counts, state)  # one walk over the calendar for all steps
    jobs = [
        schedule.NewJob(
            kind=LATEST_CHANGE,
            subject=f"{LATEST_CHANGE}:{enrolment.id}",
            person_id=enrolment.person_id,
            payload={"person": enrolment.person_id, "system": programme.system},
            due_at=now,
        )
    ]
    for step in programme.steps:
        if step.after_hours is not None:
            due = start + timedelta(hours=step.after_hours)
        elif step.after_working_days is not None:
            due = working_days[step.after_working_days] if step.after_working_days else start
        elif step.trigger is not None and step.trigger.inactive_days is not None:
            due = start + timedelta(days=step.trigger.inactive_days)
        else:
            continue
        jobs.append(
            schedule.NewJob(
                kind=STEP,
                subject=subject(enrolment.id, step.key),
                person_id=enrolment.person_id,
                payload={"enrolment": enrolment.id, "step": step.key},
                due_at=due,
            )
        )
    schedule.add_new(session=session, jobs=jobs, now=now)  # a new enrolment has no jobs yet: one INSERT


def _schedule(*, session: Session, enrolment: Enrolment, step: Step, due: datetime, now: datetime) -> None:
    assert enrolment.id is not None
    schedule.upsert(
        session=session,
        kind=STEP,
        subject=subject(enrolment.id, step.key),
        due_at=due,
        now=now,
        person_id=enrolment.person_id,
        payload={"enrolment": enrolment.id, "step": step.key},
    )


def refresh(*, session: Session, enrolment: Enrolment, content: Content, now: datetime) -> None:
    """Recompute the stage and plan event-triggered steps whose event has happened (once each)."""
    assert enrolment.id is not None
    programme = service.programme_for(session=session, content=content, enrolment=enrolment)
    uses, days = service.usage_signals(
        session=session, person_id=enrolment.person_id, system=programme.system
    )
    done = {
        k for k, p in service.all_progress(session=session, enrolment_id=enrolment.id).items() if p.done_at
    }
    stage = compute_stage(
        programme.stages, Signals(uses=uses, use_days=days, steps_done=done), now, as_stage(enrolment.stage)
    )
    if stage != enrolment.stage:
        log.info("enrolment %s reached stage %s", enrolment.id, stage)
        enrolment.stage = stage
        enrolment.stage_at = now
    planned = schedule.subjects_with_prefix(session=session, prefix=subject(enrolment.id, ""))
    for step in programme.steps:
        trigger = step.trigger
        if trigger is None or subject(enrolment.id, step.key) in planned:
            continue
        fired = (
            (trigger.stage_reached is not None and stage_index(stage) >= stage_index(trigger.stage_reached))
            or (trigger.usage_milestone is not None and uses >= trigger.usage_milestone)
            or (trigger.step_done is not None and trigger.step_done in done)
        )
        if fired:
            _schedule(session=session, enrolment=enrolment, step=step, due=now, now=now)


def run_due_step(
    *, session: Session, job: DueWork, now: datetime, content: Content, settings: Settings
) -> None:
    enrolment = session.get(Enrolment, job.payload.get("enrolment"))
    person = session.get(Person, enrolment.person_id) if enrolment else None
    if enrolment is None or person is None or not person.active:
        schedule.finish(job=job, now=now, note="enrolment over")
        return
    assert enrolment.id is not None
    programme = service.programme_for(session=session, content=content, enrolment=enrolment)
    step = next((s for s in programme.steps if s.key == job.payload.get("step")), None)
    if step is None:
        schedule.finish(job=job, now=now, note="step no longer in the programme")
        return
    in_use = ownership.status(session=session, system=programme.system)
    if in_use == "retired":
        schedule.finish(job=job, now=now, note="system retired")
        return
    if in_use == "suspended":  # a decision suspended the system: look again tomorrow
        job.due_at = now + SUSPENDED_RECHECK
        return
    progress = service.all_progress(session=session, enrolment_id=enrolment.id)
    mine = progress.get(step.key) or service.progress(
        session=session, enrolment_id=enrolment.id, step_key=step.key
    )
    usage = service.usage_summary(session=session, person_id=enrolment.person_id, system=programme.system)
    reason = _skip_reason(step=step, enrolment=enrolment, progress=progress, mine=mine, usage=usage)
    if reason:
        mine.skipped = reason
        schedule.finish(job=job, now=now, note=f"skipped: {reason}")
        return
    if step.trigger is not None and step.trigger.inactive_days is not None:
        idle = timedelta(days=step.trigger.inactive_days)
        if usage.last is not None and usage.last > now - idle:
            job.due_at = usage.last + idle  # still active: look again when they might have gone quiet
            return
    policy = attention.of(session=session, settings=settings, content=content, now=now)
    # Decided when it may go, not queued ahead: a skip condition or a snooze still counts until then.
    decision = policy.decision(person, KIND[step.kind])
    if decision.action == Action.hold:  # the person said stop: wait until they start again
        job.due_at = now + attention.HELD
        return
    if decision.action == Action.defer and decision.at is not None:
        job.due_at = decision.at
        return
    stats = Stats(
        uses=usage.uses,
        active_days=len(usage.days),
        minutes_saved=usage.minutes_saved,
        weeks=max(1, (now - enrolment.enrolled_at).days // 7),
    )
    message = step_message(
        stats=stats,
        content=content,
        programme=programme,
        step=step,
        person=person,
        owner=str(enrolment.id),
        sending=mine.times_sent + 1,
        stage=enrolment.stage,
    )
    attention.notify(
        session=session,
        person=person,
        message=message,
        key=f"programme:{enrolment.id}:{step.key}:{mine.times_sent + 1}",
        now=now,
        kind=OutboxKind(KIND[step.kind]),
        priority=PRIORITY[KIND[step.kind]],
    )
    mine.times_sent += 1
    mine.last_sent_at = now
    if step.repeat is not None and mine.times_sent < step.repeat.max:
        job.due_at = add_working_days(now, step.repeat.every_working_days, policy.state(person))
        return
    schedule.finish(job=job, now=now)
    progress[step.key] = mine
    if enrolment.completed_at is None and _all_sent(programme=programme, progress=progress):
        enrolment.completed_at = now  # informational: triggered steps may still come


def _skip_reason(
    *,
    step: Step,
    enrolment: Enrolment,
    progress: dict[str, StepProgress],
    mine: StepProgress,
    usage: service.UsageSummary,
) -> str | None:
    if mine.done_at is not None:
        return "already done"
    if mine.times_sent >= (step.repeat.max if step.repeat else 1):
        return "already sent"
    if step.stages and enrolment.stage not in step.stages:
        return f"not for stage {enrolment.stage}"
    skip = step.skip_if
    if skip is None:
        return None
    if skip.used_system and usage.uses:
        return "already uses the system"
    if skip.stage_at_least and stage_index(as_stage(enrolment.stage)) >= stage_index(skip.stage_at_least):
        return f"already {enrolment.stage}"
    other = progress.get(skip.step_done) if skip.step_done else None
    if other is not None and other.done_at is not None:
        return f"{skip.step_done} done"
    return None


def _all_sent(*, programme: Programme, progress: dict[str, StepProgress]) -> bool:
    """Timed steps all sent or skipped (triggered steps may still come; they keep working after)."""
    timed = [s for s in programme.steps if s.trigger is None]
    return all(
        (p := progress.get(s.key)) is not None
        and (p.skipped or p.times_sent >= (s.repeat.max if s.repeat else 1))
        for s in timed
    )
