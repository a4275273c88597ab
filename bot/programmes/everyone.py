"""Enrol everyone in the workspace: `enrol everyone` has the clock count the people the platform's
`Roster` shows (paged bulk calls, paced under the platform's quotas, no session held) and tells the admin
how many; only `enrol everyone confirm` enrols them, in one unit of work, leaving the enrolled alone."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.attention import notify
from bot.channels import service as channels
from bot.config import Settings
from bot.content import Content, Programme
from bot.events import Actor
from bot.markdown import escape
from bot.messages import Reply, text_message
from bot.people.models import Identity, Person
from bot.ports import Directory, Roster
from bot.programmes.channel import enrol_members, queue
from bot.schedule.models import DueWork
from bot.schedule.ticker import AsyncHandler
from bot.store.db import Store
from bot.turn import Turn, UserError

log = logging.getLogger(__name__)

COUNT_EVERYONE = "programme.count_everyone"
ENROL_EVERYONE = "programme.enrol_everyone"
COUNTING = "I'll count the people in this workspace and ask you to confirm before I enrol anyone."
ENROLLING = "I'll enrol everyone in this workspace and tell you when it's done."
LABEL = "this workspace"
CHUNK = 500  # user ids per query
NO_ROSTER = "this platform doesn't let me list everyone"


def enrol_everyone_command(turn: Turn, words: list[str], programme: Programme) -> list[Reply]:
    """`enrol everyone [confirm]`: count first; enrol only once the admin confirms (admin only)."""
    if len(words) > 1 or (words and words[0].lower() != "confirm"):
        raise UserError("Usage: `enrol everyone [confirm] [programme KEY]`.")
    kind = ENROL_EVERYONE if words else COUNT_EVERYONE
    queue(turn, kind, programme, label=LABEL, workspace=turn.event.place.workspace)
    return [Reply(message=text_message(ENROLLING if words else COUNTING))]


def async_handlers(
    *, store: Store, content: Content, settings: Settings, directories: Mapping[str, Directory]
) -> dict[str, AsyncHandler]:
    """`directories` is read when the job runs: adapters register theirs after the runtime is built."""

    async def everyone(job: DueWork) -> tuple[list[Actor] | None, str]:
        platform, workspace = str(job.payload.get("platform")), str(job.payload.get("workspace") or "")
        roster = directories.get(platform)
        if not isinstance(roster, Roster):
            return None, NO_ROSTER

        def places(session: Session) -> list[Mapping[str, Any]]:
            return list(channels.known(session=session, platform=platform, workspace=workspace).values())

        try:
            return await roster.everyone(workspace, await store.run(places)), ""
        except Exception as exc:  # the admin hears it; the job is not retried blindly
            log.warning("The roster of %s could not be read: %s", job.payload.get("workspace"), exc)
            return None, f"the platform's directory could not be read ({type(exc).__name__})"

    async def count(job: DueWork, now: datetime) -> None:
        members, why = await everyone(job)

        def work(session: Session) -> None:
            tell_count(session=session, job=job, members=members, why=why, content=content, now=now)

        await store.run(work)

    async def enrol(job: DueWork, now: datetime) -> None:
        members, why = await everyone(job)

        def work(session: Session) -> None:
            enrol_members(
                session=session,
                job=job,
                members=members,
                content=content,
                settings=settings,
                now=now,
                by="everyone",
                cannot_list=why,
            )

        await store.run(work)

    return {COUNT_EVERYONE: count, ENROL_EVERYONE: enrol}


def tell_count(
    *, session: Session, job: DueWork, members: list[Actor] | None, why: str, content: Content, now: datetime
) -> None:
    """The count the admin confirms: how many people, and how many of them can't be reached yet."""
    admin = session.get(Person, job.payload.get("admin"))
    programme = content.programmes.get(str(job.payload.get("programme")))
    if members is None or programme is None:
        text = f"I couldn't count the people in {LABEL}: {why if programme else 'that programme is gone'}."
    else:
        unreachable = len(_unreachable(session=session, members=members))
        text = (
            f"There are {len(members)} people in {LABEL} ({unreachable} of them can't be reached yet). "
            f"Type `enrol everyone confirm programme {programme.key}` to enrol them in **{escape(programme.name)}**; "
            "those already enrolled are left as they are."
        )
    if admin is not None:
        notify(session=session, person=admin, message=text_message(text), key=job.subject, now=now, critical=True)


def _unreachable(*, session: Session, members: list[Actor]) -> set[str]:
    """User ids of the members the coach can't write to: no address from the platform and none stored
    from an earlier contact (a Teams user who installed the app has one)."""
    missing = {m.user_id: m for m in members if not m.address}
    reached: set[str] = set()
    ids = sorted(missing)
    for start in range(0, len(ids), CHUNK):
        reached.update(
            session.exec(
                select(Identity.user_id).where(
                    col(Identity.user_id).in_(ids[start : start + CHUNK]),
                    col(Identity.reachable).is_(True),
                    Identity.platform == members[0].platform,
                )
            ).all()
        )
    return {user for user, member in missing.items() if user not in reached}
