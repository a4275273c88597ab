"""What owners do with friction reports: the card's buttons (Triage, Plan, Fixed, Won't fix with a
reason), `friction list|summary|digest|note|merge|show|export`, and the reporter's "Is it better now?".

Only a system's programme owner, their backups and admins may move its reports
(`ownership.may_act`); anyone else gets a refusal only they see.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.audit import service as audit
from bot.choices import already, by_action, chosen, settle
from bot.events import Clicked, Submitted
from bot.friction import due, export, notices, service
from bot.friction import messages as m
from bot.friction.models import Cadence, FrictionReport, Status
from bot.friction.themes import themes
from bot.inbound import row_id
from bot.markdown import escape
from bot.messages import Block, Context, Field, Form, Message, Quote, Reply, Text, load_message, text_message
from bot.outbox import service as outbox
from bot.ownership import service as ownership
from bot.people.models import Person
from bot.routing import FormSpec, Router
from bot.turn import Turn, UserError
from bot.wording import plural

REFUSAL = "Only the programme owner of {system}, their backup or an admin can do that."
TELLS_REPORTER = frozenset({Status.planned, Status.fixed, Status.wont_fix})


def register(router: Router) -> None:
    for action, _label, to in m.OWNER_BUTTONS:
        if to != Status.wont_fix:
            router.action(action, _status_clicked(to))
    router.action(m.WONT_FIX, wontfix_clicked)
    router.action(m.BETTER, better_clicked)
    router.form(FormSpec(m.WONT_FIX_FORM, build_wontfix_form, submit_wontfix_form))


# --- permission --------------------------------------------------------------------------------


def may_act(turn: Turn, system: str) -> bool:
    return ownership.may_act(
        session=turn.session,
        content=turn.content,
        person=turn.person,
        system=system,
        role=notices.ROLE,
        now=turn.now,
    )


def looks_after_reports(turn: Turn) -> bool:
    """Whether the person may see and move friction reports: help lists the owners' commands then."""
    return any(may_act(turn, key) for key in turn.content.systems)


def owned_report(turn: Turn, raw_id: str) -> FrictionReport:
    """The report (its merge root) if this person may act on it; a plain refusal otherwise."""
    raw = raw_id.strip().upper().removeprefix("FR-")
    found = row_id(raw)
    report = service.get(session=turn.session, report_id=found) if found else None
    if report is None:
        raise UserError(f"I can't find friction report {raw_id.strip() or '(none given)'}.")
    if not may_act(turn, report.system_key):
        raise UserError(REFUSAL.format(system=m.system_name(turn.content, report.system_key)))
    return service.root(session=turn.session, report=report)


def owned_systems(turn: Turn) -> list[str]:
    systems = [key for key in turn.content.systems if may_act(turn, key)]
    if not systems:
        raise UserError("Only programme owners, their backups and admins can see friction reports.")
    return systems


def _person(turn: Turn, person_id: int | None) -> Person | None:
    return turn.session.get(Person, person_id) if person_id else None


def _card(turn: Turn, report: FrictionReport) -> Message:
    return m.owner_card(
        content=turn.content,
        report=report,
        reporter=_person(turn, report.reporter_id),
        owner=_person(turn, report.owner_id),
    )


# --- status changes ----------------------------------------------------------------------------


def change_status(turn: Turn, report: FrictionReport, to: Status, *, reason: str | None = None) -> int:
    """Move the report; the reporters of it and of its duplicates hear about planned/fixed/won't fix."""
    try:
        service.move(
            session=turn.session, report=report, to=to, actor_id=turn.person_id, now=turn.now, reason=reason
        )
    except service.InvalidMove as exc:
        raise UserError(str(exc)) from exc
    if to not in TELLS_REPORTER:
        return 0
    return notices.tell_reporters(
        session=turn.session, content=turn.content, settings=turn.settings, root=report, now=turn.now
    )


def _status_clicked(to: Status) -> Callable[[Turn, Clicked], list[Reply]]:
    def clicked(turn: Turn, event: Clicked) -> list[Reply]:
        report = owned_report(turn, event.value)
        change_status(turn, report, to)
        return [Reply(message=_card(turn, report), replace_source=True)]

    return clicked


def wontfix_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    report = owned_report(turn, event.value)
    if Status.wont_fix not in service.TRANSITIONS[report.status]:
        raise UserError(
            f"{report.reference} is {service.LABELS[report.status]}; it can't become won't fix now."
        )
    return [Reply(form=build_wontfix_form(turn, str(report.id)))]


def build_wontfix_form(turn: Turn, context: str) -> Form:
    report = owned_report(turn, context)
    return Form(
        form_id=m.WONT_FIX_FORM,
        title=f"Won't fix {report.reference}",
        fields=(
            Field(
                "reason",
                "Why not? The reporter sees this.",
                kind="multiline",
                max_length=1000,
                placeholder="e.g. The supplier's licence doesn't allow it; use the intranet search instead.",
            ),
        ),
        submit_label="Send",
        context=str(report.id),
    )


def submit_wontfix_form(turn: Turn, event: Submitted) -> list[Reply]:
    report = owned_report(turn, event.context)
    reason = str(event.values.get("reason", "") or "").strip()
    if not reason:
        return [Reply(form_errors={"reason": "Give the reporter a reason in a sentence."})]
    if len(reason) > 1000:
        return [Reply(form_errors={"reason": "Keep it under 1,000 characters."})]
    told = change_status(turn, report, Status.wont_fix, reason=reason)
    return [Reply(message=text_message(f"{report.reference} is marked won't fix; {_told(told)}."))]


def _told(count: int) -> str:
    return "the reporter was told" if count == 1 else f"{count} reporters were told"


# --- the reporter's answer ---------------------------------------------------------------------


def better_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    raw_id, answer, revision = [*event.value.split(":"), "", ""][:3]  # buttons before 12/2026: no revision
    found = row_id(raw_id)
    filed = service.get(session=turn.session, report_id=found) if found else None
    if filed is None or filed.reporter_id != turn.person_id or answer not in m.BETTER_LABELS:
        raise UserError("That button belongs to someone else's report.")
    turn.session.refresh(filed, with_for_update=True)  # a double click is decided once (PostgreSQL)
    root = service.root(session=turn.session, report=filed)
    sent_as = f"friction:{root.id}:r{revision}:filed:{filed.id}:person:{turn.person_id}"
    if filed.better is not None:
        return already(
            _answered(turn, root, filed, sent_as), m.BETTER_LABELS["yes" if filed.better else "no"]
        )
    filed.better = answer == "yes"
    audit.record(
        session=turn.session,
        at=turn.now,
        actor_person_id=None if filed.anonymous else turn.person_id,
        action="friction.better" if filed.better else "friction.not_better",
        subject=service.subject(filed),
    )
    if root.status != Status.fixed:
        pass  # someone else's answer (a duplicate's reporter) moved it already
    elif filed.better:
        service.move(session=turn.session, report=root, to=Status.closed, actor_id=None, now=turn.now)
    else:
        service.move(session=turn.session, report=root, to=Status.triaged, actor_id=None, now=turn.now)
        notices.tell_not_better(
            session=turn.session,
            content=turn.content,
            settings=turn.settings,
            root=root,
            filed=filed,
            now=turn.now,
        )
    return chosen(_answered(turn, root, filed, sent_as))


def _answered(turn: Turn, root: FrictionReport, filed: FrictionReport, sent_as: str) -> Message:
    """The update the reporter got, with their answer in place of "Is it better now?"'s buttons."""
    sent = outbox.by_key(session=turn.session, key=sent_as)
    if sent is not None:
        source = load_message(sent.payload)
    else:  # a button from before its value named the fix
        owner = turn.session.get(Person, root.owner_id) if root.owner_id else None
        source = m.reporter_update(
            content=turn.content, root=root, filed=filed, reporter=turn.person, owner=owner
        )
    if filed.better:
        note = "Glad to hear it. Thanks for reporting it: it made a difference."
    else:
        note = "Sorry it's still not right: the report is reopened and its owner knows."
    return settle(source, note=note, is_choice=by_action(m.BETTER))


# --- owners' commands --------------------------------------------------------------------------


def list_command(turn: Turn, _rest: str) -> list[Reply]:
    reports = service.open_reports(session=turn.session, systems=owned_systems(turn))
    if not reports:
        return [Reply(message=text_message("No open friction reports. 🎉"), ephemeral=True)]
    lines = [m.report_line(turn.content, r) for r in reports[:40]]
    if len(reports) > 40:
        lines.append(f"- … and {len(reports) - 40} more")
    text = f"**Open friction reports ({len(reports)})**\n" + "\n".join(lines)
    text += "\n\n`friction show ID` for one report and its buttons."
    return [Reply(message=text_message(text), ephemeral=True)]


def summary_command(turn: Turn, _rest: str) -> list[Reply]:
    reports = [
        r
        for r in service.all_reports(session=turn.session, systems=owned_systems(turn))
        if r.merged_into is None
    ]
    found = themes([due.item(r) for r in reports])
    phrases = "\n".join(f"- “{escape(p)}” ({n} reports)" for p, n in found.phrases) or "- none yet"
    text = (
        f"**Friction summary**: {plural(found.total, 'report')} (duplicates merged)\n\n"
        f"**Recurring phrases**\n{phrases}"
    )
    blocks = (Text(text), *m.themes_blocks(turn.content, found))
    return [Reply(message=Message(summary="Friction summary", blocks=blocks), ephemeral=True)]


def digest_command(turn: Turn, rest: str) -> list[Reply]:
    owned_systems(turn)
    choice = rest.strip().lower()
    if choice not in ("daily", "weekly"):
        current = service.cadence(session=turn.session, person_id=turn.person_id)
        raise UserError(
            f"Your friction digest is {current.value}. Change it with `friction digest daily` or `weekly`."
        )
    service.set_cadence(session=turn.session, person_id=turn.person_id, cadence=Cadence(choice), now=turn.now)
    job = due.plan_digest(
        session=turn.session, owner=turn.person, settings=turn.settings, now=turn.now, replan=True
    )
    local = job.due_at.strftime("%A %d %B %H:%M")
    return [
        Reply(
            message=text_message(f"Done: your friction digest is now {choice}. Next one: {local}."),
            ephemeral=True,
        )
    ]


def note_command(turn: Turn, rest: str) -> list[Reply]:
    raw, _, text = rest.partition(" ")
    report = owned_report(turn, raw)
    if not text.strip():
        raise UserError("Usage: `friction note ID TEXT`.")
    service.add_note(
        session=turn.session, report=report, author_id=turn.person_id, text=text.strip(), now=turn.now
    )
    return [Reply(message=text_message(f"Note added to {report.reference}."), ephemeral=True)]


def merge_command(turn: Turn, rest: str) -> list[Reply]:
    words = rest.replace(" into ", " ").split()
    if len(words) != 2:
        raise UserError("Usage: `friction merge DUPLICATE_ID INTO_ID`.")
    duplicate, into = owned_report(turn, words[0]), owned_report(turn, words[1])
    try:
        target = service.merge(
            session=turn.session, duplicate=duplicate, into=into, actor_id=turn.person_id, now=turn.now
        )
    except service.InvalidMove as exc:
        raise UserError(str(exc)) from exc
    return [
        Reply(
            message=text_message(
                f"{duplicate.reference} is merged into {target.reference}; its reporter hears back with {target.reference}'s."
            ),
            ephemeral=True,
        )
    ]


def show_command(turn: Turn, rest: str) -> list[Reply]:
    report = owned_report(turn, rest)
    card = _card(turn, report)
    notes = service.notes(session=turn.session, report_id=report.id or 0)
    extra: tuple[Block, ...] = tuple(Quote(n.text, label=f"Note, {n.at:%d %b %H:%M}") for n in notes)
    duplicates = service.merged_children(session=turn.session, report_id=report.id or 0)
    if duplicates:
        extra += (Text("Merged here: " + ", ".join(d.reference for d in duplicates)),)
    trail = audit.for_subject(session=turn.session, subject=service.subject(report))
    steps = [f"{e.action.removeprefix('friction.').replace('_', ' ')} {e.at:%d %b %H:%M}" for e in trail]
    extra += (Context("Trail: " + " · ".join(escape(step) for step in steps)),)
    return [Reply(message=Message(summary=card.summary, blocks=card.blocks + extra), ephemeral=True)]


def export_command(turn: Turn, _rest: str) -> list[Reply]:
    turn.require_role("admin")
    csv_text = export.to_csv(session=turn.session)
    message = Message(summary="Friction reports (CSV)", blocks=(Quote(csv_text, label="friction.csv"),))
    return [Reply(message=message, ephemeral=True)]


SUBCOMMANDS: dict[str, Callable[[Turn, str], list[Reply]]] = {
    "list": list_command,
    "summary": summary_command,
    "digest": digest_command,
    "note": note_command,
    "merge": merge_command,
    "show": show_command,
    "export": export_command,
}
