"""Enrol everyone in a channel: the admin's command queues due work; the clock asks the platform's
directory who is in the channel (awaited, no session held) and enrols them in one unit of work."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.attention import notify
from bot.audit import service as audit
from bot.config import Settings
from bot.content import Content, Programme
from bot.events import Actor
from bot.markdown import escape
from bot.messages import Reply, text_message
from bot.people import service as people
from bot.people.models import Person
from bot.ports import Directory
from bot.programmes.enrolment import enrol_and_plan
from bot.schedule import service as schedule
from bot.schedule.models import DueWork
from bot.schedule.ticker import AsyncHandler
from bot.store.db import Store
from bot.turn import Turn, UserError

ENROL_CHANNEL = "programme.enrol_channel"
QUEUED = "I'll enrol the people in that channel and tell you when it's done."
SLACK_MENTION = re.compile(r"^<#([A-Z0-9]+)(?:\|([^>]*))?>$")
SLACK_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
UNREACHABLE_WHY = (
    "Those I can't reach have not installed the app or written to me yet (Teams lets a bot write only to"
    " them); their messages wait and go out when they do."
)
LOCAL_CHANNEL = re.compile(r"^#?([a-z0-9][a-z0-9_-]{0,39})$")


def enrol_channel_command(turn: Turn, words: list[str], programme: Programme) -> list[Reply]:
    """`enrol channel [CHANNEL]`: queue the enrolment of everyone in the channel (admin only)."""
    address, label = _channel(turn, words)
    queue(turn, ENROL_CHANNEL, programme, label=label, address=dict(address))
    return [Reply(message=text_message(QUEUED))]


def queue(turn: Turn, kind: str, programme: Programme, *, label: str, **payload: Any) -> None:
    """Due work reading the platform for the admin who asked, run now; every request runs."""
    schedule.upsert(
        session=turn.session,
        kind=kind,
        subject=f"{kind}:{turn.person_id}:{secrets.token_hex(8)}",
        due_at=turn.now,
        now=turn.now,
        person_id=turn.person_id,
        payload={
            **payload,
            "platform": turn.event.place.platform,
            "label": label,
            "programme": programme.key,
            "admin": turn.person_id,
        },
    )


def _channel(turn: Turn, words: list[str]) -> tuple[Mapping[str, Any], str]:
    place = turn.event.place
    if not words:
        if place.is_direct:
            raise UserError("Name the channel (`enrol channel #NAME`) or type the command in the channel.")
        return place.address, place.channel_id
    if len(words) > 1:
        raise UserError("Usage: `enrol channel [CHANNEL] [programme KEY]`.")
    word = words[0]
    if place.platform == "slack":
        mention = SLACK_MENTION.match(word)
        channel = mention.group(1) if mention else word if SLACK_ID.match(word) else None
        if channel is None:
            raise UserError("Name a Slack channel by mentioning it, e.g. `enrol channel #general`.")
        name = mention.group(2) if mention and mention.group(2) else channel
        return {"team": place.workspace, "channel": channel}, name
    if place.platform == "local":
        found = LOCAL_CHANNEL.match(word.lower())
        if found is None:
            raise UserError("Name a channel, e.g. `enrol channel team-compass`.")
        return {"channel": found.group(1)}, found.group(1)
    raise UserError("On this platform, type `enrol channel` in the channel itself.")


def async_handlers(
    *, store: Store, content: Content, settings: Settings, directories: Mapping[str, Directory]
) -> dict[str, AsyncHandler]:
    """`directories` is read when the job runs: adapters register theirs after the runtime is built."""

    async def enrol_channel(job: DueWork, now: datetime) -> None:
        payload = job.payload
        directory = directories.get(str(payload.get("platform")))
        members = await directory.members(payload.get("address") or {}) if directory else None

        def work(session: Session) -> None:
            enrol_members(
                session=session, job=job, members=members, content=content, settings=settings, now=now
            )

        await store.run(work)

    return {ENROL_CHANNEL: enrol_channel}


def enrol_members(
    *,
    session: Session,
    job: DueWork,
    members: list[Actor] | None,
    content: Content,
    settings: Settings,
    now: datetime,
    by: str = "channel",
    cannot_list: str = "that platform can't list a channel's members",
) -> None:
    """Ensure each member is a person, enrol them, and tell the admin how it went. `by` names the source
    (the enrolment's `by`, the audit action); `cannot_list` says why `members` is None."""
    payload = job.payload
    admin = session.get(Person, payload.get("admin"))
    label = escape(str(payload.get("label") or "that channel"))
    programme = content.programmes.get(str(payload.get("programme")))
    if members is None or programme is None:
        why = cannot_list if programme else "that programme is gone"
        text = f"I couldn't enrol the people in {label}: {why}."
    else:
        added, already, unreachable = 0, 0, 0
        for member in members:
            resolved = people.resolve(session=session, actor=member, now=now)
            if not resolved.identity.address:  # messages wait until they first talk to the bot
                resolved.identity.reachable = False
                unreachable += 1
            enrolled = enrol_and_plan(
                session=session,
                person=resolved.person,
                programme=programme,
                content=content,
                settings=settings,
                now=now,
                by=by,
            )
            added += enrolled
            already += not enrolled
        audit.record(
            session=session,
            at=now,
            actor_person_id=admin.id if admin else None,
            action=f"programme.enrol_{by}",
            subject=f"programme:{programme.key}",
            detail={by: str(payload.get("label")), "enrolled": added, "members": len(members)},
        )
        text = (
            f"Enrolled {added} of {len(members)} people from {label} in **{escape(programme.name)}** "
            f"({already} already enrolled, {unreachable} can't be reached yet)."
        )
        if unreachable:
            text += f" {UNREACHABLE_WHY}"
    if admin is not None:
        notify(
            session=session,
            person=admin,
            message=text_message(text),
            key=job.subject,
            now=now,
            critical=True,
        )
