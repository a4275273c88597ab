"""Announcement conversations: compose and preview, confirm or cancel, "Got it", questions and answers,
the author's list and report, and the per-system changelog."""

from __future__ import annotations

from bot.announcements import delivery, drafts, reader_flows, report, service
from bot.announcements import messages as m
from bot.announcements.audience import KINDS, Audience, reach
from bot.announcements.models import Announcement, AnnouncementState
from bot.announcements.when import When
from bot.choices import already, chosen
from bot.events import Clicked, Submitted
from bot.inbound import row_id
from bot.markdown import escape
from bot.messages import (
    OPEN_FORM,
    Actions,
    Button,
    Field,
    Form,
    Message,
    Option,
    Quote,
    Reply,
    Text,
    text_message,
)
from bot.routing import Command, FormSpec, Router
from bot.turn import Turn, UserError
from bot.wording import plural

COMPOSE_FORM = "announcements.compose"
REFUSAL = (
    "Only admins and a system's change communicator can announce changes. "
    "Type `owners` to see who communicates changes for each system."
)
NO_SYSTEM = "none"  # select options need a non-empty value on every platform
_YES_NO = (Option("no", "No"), Option("yes", "Yes"))


def register(router: Router) -> None:
    topic = "Announcements"
    router.command(
        Command(
            "announce",
            "Announce a change to the people it affects",
            announce_command,
            topic=topic,
            allowed=may_announce,
        )
    )
    router.command(
        Command(
            "announcements",
            "Announcements you sent, with their delivery",
            list_command,
            topic=topic,
            allowed=may_announce,
            private=True,  # an author's report
        )
    )
    router.command(
        Command(
            "announcement",
            "One announcement's report, its CSV, or cancel it",
            announcement_command,
            usage="announcement ID [csv|cancel]",
            topic=topic,
            allowed=may_report,
            private=True,  # the CSV names every recipient
        )
    )
    router.command(
        Command(
            "changes",
            "What changed in a system, by model version",
            changes_command,
            usage="changes SYSTEM",
            topic=topic,
        )
    )
    router.form(FormSpec(COMPOSE_FORM, build_compose, submit_compose))
    router.action(m.CONFIRM, confirm_clicked)
    router.action(m.CANCEL, cancel_clicked)
    router.action(m.DISCARD, discard_clicked)
    reader_flows.register(router)


def may_announce(turn: Turn) -> bool:
    """Admins and each system's change communicator (or their backup)."""
    return drafts.may_announce(session=turn.session, content=turn.content, person=turn.person, now=turn.now)


def may_report(turn: Turn) -> bool:
    """Who `announcement ID` can show anything to: announcers, and anyone who wrote one before."""
    return may_announce(turn) or service.has_authored(session=turn.session, person_id=turn.person_id)


def _require_announcer(turn: Turn) -> None:
    if not may_announce(turn):
        raise UserError(REFUSAL)


def announce_command(turn: Turn, _rest: str) -> list[Reply]:
    _require_announcer(turn)
    return [
        Reply(
            message=Message(
                summary="Compose an announcement",
                blocks=(
                    Text(
                        "**Announce a change.** You'll see a preview with the audience count before anything goes."
                    ),
                    Actions((Button(OPEN_FORM, "Compose", value=f"{COMPOSE_FORM}|", style="primary"),)),
                ),
            ),
            ephemeral=True,
        )
    ]


def build_compose(turn: Turn, _context: str) -> Form:
    _require_announcer(turn)
    systems = turn.content.systems
    if turn.person.is_admin:
        options = [Option(NO_SYSTEM, "None")] + [Option(k, s.name) for k, s in systems.items()]
    else:
        mine = drafts.communicator_systems(
            session=turn.session, content=turn.content, person=turn.person, now=turn.now
        )
        options = [Option(k, systems[k].name) for k in mine]
    fields = [
        Field("title", "Title", max_length=150),
        Field(
            "body",
            "What changed",
            kind="multiline",
            hint="Markdown; {{ person.first_name }} is each reader's name",
        ),
        Field("system", "System", kind="select", required=False, options=tuple(options)),
        Field("model_version", "Model version", required=False, placeholder="compass-2026-12"),
        Field(
            "audience_kind",
            "Audience",
            kind="select",
            options=tuple(Option(k, k) for k in KINDS),
            initial="everyone",
        ),
        Field(
            "audience_param",
            "Audience detail",
            required=False,
            hint="programme KEY, stage, system key, channel id, or emails separated by commas",
        ),
        Field("when", "When", initial="now", hint="now, `Monday 09:30 local` or 2026-12-01T09:00Z"),
        Field("ack_required", "Ask people to acknowledge?", kind="select", options=_YES_NO, initial="yes"),
    ]
    if turn.person.is_admin:
        fields.append(
            Field(
                "critical", "Critical (bypasses working hours)?", kind="select", options=_YES_NO, initial="no"
            )
        )
    return Form(form_id=COMPOSE_FORM, title="Announce a change", fields=tuple(fields), submit_label="Preview")


_FORM_FIELD = {"audience": "audience_param", "send_at": "when"}


def submit_compose(turn: Turn, event: Submitted) -> list[Reply]:
    _require_announcer(turn)
    values = {k: (v or "").strip() for k, v in event.values.items()}
    request = drafts.Request(
        title=values.get("title", ""),
        body=event.values.get("body", "") or "",
        system="" if values.get("system", "") == NO_SYSTEM else values.get("system", ""),
        model_version=values.get("model_version", ""),
        audience_kind=values.get("audience_kind", "") or "everyone",
        audience_param=values.get("audience_param", ""),
        when=values.get("when", "") or "now",
        ack_required=values.get("ack_required", "no") == "yes",
        critical=values.get("critical", "no") == "yes",
    )
    try:
        announcement = drafts.create(
            session=turn.session,
            content=turn.content,
            request=request,
            author=turn.person,
            author_name=turn.person.display_name or turn.person.first_name,
            now=turn.now,
        )
    except drafts.DraftErrors as exc:
        return [Reply(form_errors={_FORM_FIELD.get(k, k): v for k, v in exc.errors.items()})]
    return [Reply(message=_preview(turn, announcement))]


def _preview(turn: Turn, announcement: Announcement) -> Message:
    found = reach(
        session=turn.session, audience=Audience(announcement.audience_kind, announcement.audience_param)
    )
    sample = delivery.message_for(content=turn.content, announcement=announcement, person=turn.person)
    when = When(send_at=announcement.send_at, local=announcement.local_when).label
    return m.preview(
        announcement=announcement,
        sample=sample,
        audience=f"{announcement.audience_kind} {announcement.audience_param}".strip(),
        when=when,
        recipients=found.recipients,
        unreachable=found.unreachable,
    )


def _own(turn: Turn, raw: str) -> Announcement:
    wanted = row_id(raw)
    announcement = service.get(session=turn.session, announcement_id=wanted) if wanted else None
    if announcement is None:
        raise UserError("I can't find that announcement. Type `announcements` to see yours.")
    if not turn.person.is_admin and announcement.author_id != turn.person_id:
        raise UserError("Only its author or an admin can do that.")
    return announcement


def confirm_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    announcement = _own(turn, event.value)
    turn.session.refresh(announcement, with_for_update=True)  # a double click is decided once
    if announcement.state != AnnouncementState.draft:
        return already(*_decided(announcement))
    service.confirm(session=turn.session, announcement=announcement, now=turn.now)
    service.touch_status(session=turn.session, announcement=announcement, now=turn.now)
    return chosen(_decided(announcement)[0])


def discard_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    """The preview's Cancel: a draft is dropped; once confirmed, the preview's buttons change nothing
    (the status message has the Cancel that stops a sending)."""
    announcement = _own(turn, event.value)
    turn.session.refresh(announcement, with_for_update=True)
    if announcement.state != AnnouncementState.draft:
        return already(*_decided(announcement))
    announcement.state = AnnouncementState.cancelled
    announcement.cancelled_at = turn.now
    return chosen(_decided(announcement)[0])


def _decided(announcement: Announcement) -> tuple[Message, str]:
    """What the preview shows once Confirm or Cancel was chosen, and that button's label."""
    if announcement.confirmed_at is None:
        return text_message("Cancelled: nothing was sent."), "Cancel"
    unreachable = f" ({announcement.unreachable} unreachable for now)" if announcement.unreachable else ""
    text = (
        f"Confirmed. Announcement {announcement.id} goes to {plural(announcement.recipients, 'person', 'people')}"
        f"{unreachable}. I'll keep a status message up to date."
    )
    return text_message(text), "Confirm and send"


def cancel_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    announcement = _own(turn, event.value)
    if announcement.state == AnnouncementState.draft:
        return discard_clicked(turn, event)
    if announcement.state == AnnouncementState.done and not service.next_pending_at(
        session=turn.session, announcement_id=announcement.id or 0
    ):
        raise UserError("Everything has gone already; there is nothing left to cancel.")
    stopped = service.cancel(session=turn.session, announcement=announcement, now=turn.now)
    return [
        Reply(
            message=text_message(
                f"Cancelled announcement {announcement.id}: {stopped} queued messages stopped."
            ),
            ephemeral=True,
        )
    ]


def list_command(turn: Turn, _rest: str) -> list[Reply]:
    _require_announcer(turn)
    author = None if turn.person.is_admin else turn.person_id
    found = service.recent(session=turn.session, author_id=author)
    if not found:
        return [Reply(message=text_message("No announcements yet. Type `announce` to write one."))]
    lines = ["**Recent announcements**"]
    for a in found:
        c = service.counts(session=turn.session, announcement=a)
        lines.append(
            f"- {a.id}: {escape(a.title)} ({service.progress(a, c)}): {c.sent}/{c.recipients} sent,"
            f" {c.pending} pending, {c.unreachable} unreachable, {c.acknowledged} acknowledged,"
            f" {c.questions} questions"
        )
    lines.append("Type `announcement ID` for a report, `announcement ID csv` for a CSV.")
    return [Reply(message=text_message("\n".join(lines)))]


def announcement_command(turn: Turn, rest: str) -> list[Reply]:
    words = rest.split()
    if not words:
        raise UserError(
            "Which one? `announcement ID`, e.g. `announcement 3`. Type `announcements` for the list."
        )
    announcement = _own(turn, words[0])
    action = words[1].lower() if len(words) > 1 else ""
    if action == "cancel":
        return cancel_clicked(turn, _click(turn, announcement))
    if action == "csv":
        csv = report.csv_text(session=turn.session, announcement=announcement)
        return [
            Reply(
                message=Message(
                    summary=f"CSV for announcement {announcement.id}",
                    blocks=(Quote(csv, label=f"announcement-{announcement.id}.csv"),),
                )
            )
        ]
    return [Reply(message=report.message(session=turn.session, announcement=announcement))]


def _click(turn: Turn, announcement: Announcement) -> Clicked:
    return Clicked(turn.event.actor, turn.event.place, m.CANCEL, str(announcement.id))


def changes_command(turn: Turn, rest: str) -> list[Reply]:
    key = rest.strip()
    systems = turn.content.systems
    if key not in systems:
        by_name = {s.name.lower(): k for k, s in systems.items()}
        key = by_name.get(key.lower(), key)
    if key not in systems:
        raise UserError(f"Which system? `changes SYSTEM`, one of: {', '.join(sorted(systems))}.")
    found = service.changelog(session=turn.session, system=key)
    if not found:
        return [Reply(message=text_message(f"No announced changes for {escape(systems[key].name)} yet."))]
    lines = [f"**Changes to {escape(systems[key].name)}**"]
    for a in found:
        version = escape(a.model_version) if a.model_version else "no version"
        day = (a.confirmed_at or a.created_at).date().isoformat()
        lines.append(f"- **{version}** ({day}): {escape(a.title)}")
    return [Reply(message=text_message("\n".join(lines)))]
