"""Programme conversations: enrolment, progress, the buttons on every step, snooze, stop and start."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from bot import attention
from bot.audit import service as audit
from bot.content import Programme
from bot.events import Clicked
from bot.markdown import escape
from bot.messages import Actions, Button, Context, Fact, Facts, Message, Reply, Text, text_message
from bot.people import service as people
from bot.people.models import Person
from bot.policy.calendar import local_day
from bot.policy.model import AttentionState
from bot.policy.snooze import SnoozeChoice, snooze_until
from bot.programmes import answers, channel, due, everyone, service, steps
from bot.programmes import messages as m
from bot.programmes.enrolment import enrol_and_plan, preview_to
from bot.programmes.models import Enrolment, ProgrammePreview
from bot.routing import Command, Router
from bot.schedule import service as schedule
from bot.turn import Turn, UserError
from bot.wording import day_and_time

SNOOZE_CHOICES = ("hour", "tomorrow", "next_week")


def register(router: Router) -> None:
    router.command(
        Command(
            "programme",
            "Where you are in your programme",
            progress_command,
            aliases=("progress",),
            topic="Programme",
        )
    )
    router.command(
        Command(
            "snooze",
            "Pause my messages for an hour, until your next working day or until next week",
            snooze_command,
            usage="snooze [hour|tomorrow|next week]",
            topic="Programme",
        )
    )
    router.command(
        Command(
            "stop",
            "Stop programme messages (you can still use every command)",
            stop_command,
            topic="Programme",
        )
    )
    router.command(Command("start", "Start programme messages again", start_command, topic="Programme"))
    router.command(
        Command(
            "enrol",
            "Enrol people in a programme by email, everyone in a channel or everyone in the workspace",
            enrol_command,
            usage="enrol EMAIL… | channel [CHANNEL] | everyone [confirm] [programme KEY]",
            role="admin",
            topic="Admin",
        )
    )
    router.command(
        Command(
            "preview",
            "Send yourself every step of a programme at once",
            preview_command,
            usage="preview [KEY]",
            role="admin",
            topic="Admin",
        )
    )
    router.action(m.SNOOZE, snooze_clicked)
    router.action(f"{m.SNOOZE}.choice", snooze_choice_clicked)
    router.action(m.STOP, stop_clicked)
    steps.register(router)
    answers.register(router)
    router.on_first_contact.append(enrol_on_first_contact)


# --- enrolment ---------------------------------------------------------------------------------


def default_programme(turn: Turn) -> Programme | None:
    content = turn.content
    key = turn.settings.default_programme or (min(content.programmes) if content.programmes else None)
    return content.programmes.get(key) if key else None


def enrol_person(turn: Turn, person: Person, programme: Programme, *, by: str) -> bool:
    """Enrol and plan; False when the person was enrolled already."""
    return enrol_and_plan(
        session=turn.session,
        person=person,
        programme=programme,
        content=turn.content,
        settings=turn.settings,
        now=turn.now,
        by=by,
        new_person=turn.is_new_person and person is turn.person,
    )


def enrol_on_first_contact(turn: Turn) -> list[Reply]:
    """People join the default programme when they first write, unless an admin enrolled them already
    or they own an AI system (named in systems.yaml before they wrote): an owner's SLA reminders and
    digests must not wait behind programme nudges in their attention budget. An admin enrols them."""
    if turn.person.is_owner:
        return []
    if not turn.is_new_person and service.enrolments_of(session=turn.session, person_id=turn.person_id):
        return []  # known by email before they wrote: an admin may have enrolled them
    programme = default_programme(turn)
    if programme is not None:
        enrol_person(turn, turn.person, programme, by="first_contact")
    return []


def enrol_command(turn: Turn, rest: str) -> list[Reply]:
    words = rest.replace(",", " ").split()
    key = None
    if "programme" in words:
        at = words.index("programme")
        key = words[at + 1] if at + 1 < len(words) else None
        words = words[:at] + words[at + 2 :]
    programme = turn.content.programmes.get(key) if key else default_programme(turn)
    if programme is None:
        raise UserError(
            f"I don't know the programme {key!r}. Programmes: {', '.join(sorted(turn.content.programmes))}."
        )
    if words and words[0].lower() == "channel":
        return channel.enrol_channel_command(turn, words[1:], programme)
    if words and words[0].lower() == "everyone":
        return everyone.enrol_everyone_command(turn, words[1:], programme)
    emails = [w.strip("<>").lower() for w in words if "@" in w]
    if not emails:
        raise UserError(
            "Usage: `enrol EMAIL [EMAIL…] [programme KEY]` `enrol channel [CHANNEL]` or `enrol everyone`."
        )
    added = []
    for email in emails:
        person = people.ensure_by_email(session=turn.session, email=email, now=turn.now)
        if enrol_person(turn, person, programme, by="admin"):
            added.append(email)
    audit.record(
        session=turn.session,
        at=turn.now,
        actor_person_id=turn.person_id,
        action="programme.enrol",
        subject=f"programme:{programme.key}",
        detail={"emails": added},
    )
    already = len(emails) - len(added)
    text = f"Enrolled {len(added)} in **{escape(programme.name)}**."
    if already:
        text += f" {already} already enrolled."
    return [
        Reply(
            message=text_message(
                text + " People I can't reach yet get their messages when they first talk to me."
            )
        )
    ]


def preview_command(turn: Turn, rest: str) -> list[Reply]:
    """Every step of a programme at once, to try it on yourself before people get it."""
    key = rest.strip()
    programme = turn.content.programmes.get(key) if key else default_programme(turn)
    if programme is None:
        raise UserError(
            f"I don't know the programme {key!r}. Programmes: {', '.join(sorted(turn.content.programmes))}."
        )
    count = preview_to(
        session=turn.session, person=turn.person, programme=programme, content=turn.content, now=turn.now
    )
    if turn.event.place.is_direct:
        return []  # the preview's own header arrives here at once
    text = f"I've sent you all {count} steps of **{escape(programme.name)}** in a direct message."
    return [Reply(message=text_message(text), ephemeral=True)]


# --- progress ----------------------------------------------------------------------------------


def progress_command(turn: Turn, _rest: str) -> list[Reply]:
    enrolments = service.enrolments_of(session=turn.session, person_id=turn.person_id)
    replies = [Reply(message=_progress(turn, enrolment)) for enrolment in enrolments]
    previews = service.latest_previews(session=turn.session, person_id=turn.person_id)
    if previews:
        replies.append(Reply(message=_previews(turn, previews)))
    if not enrolments:
        replies.insert(
            0, Reply(message=text_message("You're not in a programme yet. Your admin can enrol you."))
        )
    return replies


def _progress(turn: Turn, enrolment: Enrolment) -> Message:
    programme = service.programme_for(session=turn.session, content=turn.content, enrolment=enrolment)
    progress = service.all_progress(session=turn.session, enrolment_id=enrolment.id or 0)
    done = sum(1 for p in progress.values() if p.done_at)
    sent = sum(1 for p in progress.values() if p.times_sent)
    status = "stopped (type `start` to resume)" if turn.person.stopped else "active"
    return Message(
        summary=f"{programme.name}: {enrolment.stage}",
        blocks=(
            Text(f"**{escape(programme.name)}**"),
            Facts(
                (
                    Fact("Stage", enrolment.stage),
                    Fact("Steps received", f"{sent} of {len(programme.steps)}"),
                    Fact("Marked done", str(done)),
                    Fact("Messages", status),
                )
            ),
            *answers.listing(turn, programme),
        ),
    )


def _previews(turn: Turn, previews: list[tuple[ProgrammePreview, int]]) -> Message:
    lines = []
    for preview, clicked in previews:
        programme = service.programme_version(
            session=turn.session, content=turn.content, key=preview.programme_key, version=preview.version
        )
        lines.append(
            f"- **{escape(programme.name)}**: you tried {clicked} of its {len(programme.steps)} steps"
        )
    return Message(
        summary="Your previews",
        blocks=(
            Text("**Previews**"),
            Text("\n".join(lines)),
            Context("What you click in a preview is kept apart: it never counts in your own programme."),
        ),
    )


# --- snooze, stop, start -----------------------------------------------------------------------


def snooze_command(turn: Turn, rest: str) -> list[Reply]:
    choice = rest.strip().lower().replace(" ", "_") or "tomorrow"
    if choice not in SNOOZE_CHOICES:
        raise UserError("Snooze for `hour`, `tomorrow` or `next week`.")
    return _snooze(turn, choice)


def _snooze(turn: Turn, choice: str) -> list[Reply]:
    person = turn.person
    state = _state(turn)
    person.snoozed_until = snooze_until(SnoozeChoice(choice), turn.now, state)
    _replan(turn)
    # Said as the day it really is: "tomorrow morning" on a Friday is Monday for most people.
    until = day_and_time(person.snoozed_until.astimezone(state.zone), today=local_day(turn.now, state.zone))
    body = turn.content.render(
        "generic/snoozed.md.j2", snooze={"label": until, "until": person.snoozed_until}
    )
    return [Reply(message=text_message(body), ephemeral=True)]


def snooze_labels(turn: Turn) -> dict[str, str]:
    """Each choice named by when it really ends: on a Friday "tomorrow" is "Until Monday at 09:00", never
    "tomorrow morning". Two choices that end at the same moment (a Friday's next day and next week) are one."""
    state = _state(turn)
    today = local_day(turn.now, state.zone)
    labels: dict[str, str] = {}
    seen: set[datetime] = set()
    for choice in SNOOZE_CHOICES:
        until = snooze_until(SnoozeChoice(choice), turn.now, state)
        if until not in seen:
            seen.add(until)
            labels[choice] = f"Until {day_and_time(until.astimezone(state.zone), today=today)}"
    return labels


def _in_preview(event: Clicked, what: str) -> list[Reply] | None:
    """Snooze and Stop on a preview's step say what they would do, and change nothing."""
    ref = m.parse_ref(event.value)
    if ref is None or ref.preview_id is None:
        return None
    text = f"In a preview, this button {what}. Nothing changed: this is a preview."
    return [Reply(message=text_message(text), ephemeral=True)]


def snooze_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    preview = _in_preview(event, "pauses the person's messages for an hour, a day or a week")
    if preview is not None:
        return preview
    buttons = tuple(
        Button(f"{m.SNOOZE}.choice", label, value=key) for key, label in snooze_labels(turn).items()
    )
    return [
        Reply(
            message=Message(
                summary="Snooze until when?", blocks=(Text("Snooze until when?"), Actions(buttons))
            ),
            ephemeral=True,
        )
    ]


def snooze_choice_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    if event.value not in SNOOZE_CHOICES:
        raise UserError("Snooze for `hour`, `tomorrow` or `next week`.")
    # The question's message turns into the answer: its buttons cannot be pressed twice.
    return [dataclasses.replace(reply, replace_source=True) for reply in _snooze(turn, event.value)]


def stop_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    preview = _in_preview(event, "stops the person's programme messages")
    return preview if preview is not None else stop_command(turn, "")


def stop_command(turn: Turn, _rest: str) -> list[Reply]:
    turn.person.stopped = True
    _replan(turn)
    audit.record(
        session=turn.session,
        at=turn.now,
        actor_person_id=turn.person_id,
        action="programme.stop",
        subject=f"person:{turn.person_id}",
    )
    return [
        Reply(
            message=text_message(
                "Done: no more programme messages. Type `start` whenever you want them back."
            )
        )
    ]


def start_command(turn: Turn, _rest: str) -> list[Reply]:
    person = turn.person
    person.stopped = False
    person.snoozed_until = None
    for job in schedule.pending_for(session=turn.session, person_id=turn.person_id, kind=due.STEP):
        if job.due_at > turn.now + attention.HELD / 2:
            job.due_at = turn.now
    _replan(turn)
    audit.record(
        session=turn.session,
        at=turn.now,
        actor_person_id=turn.person_id,
        action="programme.start",
        subject=f"person:{turn.person_id}",
    )
    return [
        Reply(
            message=text_message("Welcome back! Programme messages are on again, inside your working hours.")
        )
    ]


def _replan(turn: Turn) -> None:
    """Snooze, stop and start move the person's pending messages to what the policy now allows."""
    turn.attention.replan(turn.person)


def _state(turn: Turn) -> AttentionState:
    return turn.attention.state(turn.person)
