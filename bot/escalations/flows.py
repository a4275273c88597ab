"""Flagging an AI output (`flag`, the message and global shortcuts, the form), `flags` and `escalation ID`.

The owners' side (buttons, forms, thread replies) lives in `actions`.
"""

from __future__ import annotations

from collections import Counter

from bot.escalations import actions, drafts, due, faq, messages, notices, service
from bot.escalations.models import Escalation, FlagDraft
from bot.escalations.sla import duration_words, freeze, local_words, owner_state
from bot.events import Place, Shortcut, Submitted
from bot.inbound import row_id
from bot.messages import Form, Reply
from bot.ownership import service as ownership
from bot.ownership import weekly_check
from bot.people import service as people
from bot.privacy.redact import Redacted, redact
from bot.programmes import service as programmes
from bot.routing import Command, FormSpec, Router
from bot.turn import Turn, UserError


def register(router: Router) -> None:
    router.command(
        Command(
            "flag",
            "Flag a confusing AI output to its owners",
            flag_command,
            usage="flag <the AI output>",
            topic="Escalations",
        )
    )
    router.command(
        Command("flags", "Your open flags", flags_command, aliases=("my-flags",), topic="Escalations")
    )
    router.command(
        Command(
            "escalation",
            "The timeline of one flag",
            escalation_command,
            usage="escalation ID",
            topic="Escalations",
        )
    )
    router.shortcut("flag.message", flag_shortcut)
    router.shortcut("flag.global", flag_shortcut)
    router.form(FormSpec(messages.FLAG_FORM, build_flag_form, submit_flag))
    actions.register(router)


EXPIRED = "That flag form has expired. Send the output again with `flag`, and I'll open a new one."


def flag_command(turn: Turn, rest: str) -> list[Reply]:
    if rest.lower() in ("list", "mine"):
        return flags_command(turn, "")
    return _offer(turn, output=rest, place=turn.event.place, link=None)


def flag_shortcut(turn: Turn, event: Shortcut) -> list[Reply]:
    return _offer(turn, output=event.message_text or "", place=event.place, link=event.message_link)


def _offer(turn: Turn, *, output: str, place: Place, link: str | None) -> list[Reply]:
    """The flag form; an output that came with the request is kept on the server, whole."""
    if not output.strip():
        return [Reply(form=_form(turn, draft=None, place=place, context=link or ""))]
    problem = drafts.too_long(output)
    if problem is not None:
        raise UserError(problem)
    draft = drafts.keep(
        session=turn.session, person_id=turn.person_id, output=output, link=link, now=turn.now
    )
    return [Reply(form=_form(turn, draft=draft, place=place, context=drafts.context_of(draft)))]


def build_flag_form(turn: Turn, context: str) -> Form:
    """The form again, from a button (e.g. on Slack, where a DM message cannot open a modal)."""
    draft = None
    if drafts.is_draft(context):
        draft = drafts.find(session=turn.session, context=context, person_id=turn.person_id)
        if draft is None:
            raise UserError(EXPIRED)
    return _form(turn, draft=draft, place=turn.event.place, context=context)


def _form(turn: Turn, *, draft: FlagDraft | None, place: Place, context: str) -> Form:
    systems = list(turn.content.systems.values())
    if not systems:
        raise UserError("No AI systems are set up yet; ask your admin to fill in content/systems.yaml.")
    key = system_for_place(turn, place)
    match = None
    if draft is not None:
        candidates = [
            e
            for s in ([key] if key else turn.content.systems)
            for e in service.faq_entries(session=turn.session, system_key=s)
        ]
        found = faq.best_match(draft.output_text, candidates)
        match = found[0] if found else None
    shared = _redacted(turn, draft.output_text) if draft is not None else None
    return messages.flag_form(
        systems=systems, draft=draft, system_key=key, context=context, faq=match, shared=shared
    )


def _redacted(turn: Turn, text: str) -> Redacted | None:
    """What owners will see of `text` when the coach hides personal details (COACH_REDACT_FLAGS)."""
    return redact(text, region=turn.settings.redact_region) if turn.settings.redact_flags else None


def system_for_place(turn: Turn, place: Place) -> str | None:
    """The system whose escalation channel this is, the only system there is, or the one system the
    person's programmes are about (a sensible default they can still change)."""
    for system in turn.content.systems.values():
        if not place.is_direct and system.escalation_channel.get(place.platform) == place.channel_id:
            return system.key
    if len(turn.content.systems) == 1:
        return next(iter(turn.content.systems))
    enrolled = {
        e.programme_key for e in programmes.enrolments_of(session=turn.session, person_id=turn.person_id)
    }
    systems = {
        p.system
        for k, p in turn.content.programmes.items()
        if k in enrolled and p.system in turn.content.systems
    }
    return systems.pop() if len(systems) == 1 else None


def submit_flag(turn: Turn, event: Submitted) -> list[Reply]:
    """Every limit is checked here, where the values arrive: a client's own limits are only a help."""
    values = {k: (v or "").strip() for k, v in event.values.items()}
    draft = None
    if drafts.is_draft(event.context):
        draft = drafts.find(session=turn.session, context=event.context, person_id=turn.person_id)
        if draft is None:
            raise UserError(EXPIRED)
        values["output"] = draft.output_text
    errors = _flag_errors(turn, values, typed=draft is None)
    if errors:
        return [Reply(form_errors=errors)]
    link = draft.source_link if draft is not None else event.context or None
    shared = _redacted(turn, values["output"])
    expected = _redacted(turn, values.get("expected", ""))
    if shared is not None and expected is not None:  # the coach keeps only what the owners may see
        values = {**values, "output": shared.text, "expected": expected.text}
    row = flag(turn, values=values, link=link)
    if draft is not None:
        drafts.forget(session=turn.session, draft=draft)
    hidden = None
    if shared is not None and expected is not None and (shared.changed or expected.changed):
        hidden = Redacted("", Counter(shared.hidden) + Counter(expected.hidden)).summary()
    return [
        Reply(
            message=messages.received(
                row=row,
                system=turn.content.systems[row.system_key].name,
                body=promise(turn, row),
                hidden=hidden,
            )
        )
    ]


def _flag_errors(turn: Turn, values: dict[str, str], *, typed: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    output = values.get("output", "")
    if not output:
        errors["output"] = "Paste the AI output you want explained."
    elif typed and len(output) > messages.FORM_OUTPUT:
        errors["output"] = (
            f"That is {len(output):,} characters; this box takes up to {messages.FORM_OUTPUT:,}. "
            f"Send the output to me in a message starting with “flag” instead: I keep up to {drafts.MAX_OUTPUT:,}."
        )
    if values.get("reason") not in service.REASONS:
        errors["reason"] = "Choose what was confusing."
    if values.get("system") not in turn.content.systems:
        errors["system"] = "Choose the AI system that produced it."
    for name, limit in (("expected", messages.EXPECTED_MAX), ("trace_id", messages.TRACE_MAX)):
        if len(values.get(name, "")) > limit:
            errors[name] = f"Up to {limit:,} characters, please (this is {len(values[name]):,})."
    return errors


def flag(turn: Turn, *, values: dict[str, str], link: str | None) -> Escalation:
    system = turn.content.systems[values["system"]]
    owner = ownership.holder(session=turn.session, system=system.key, role=notices.ROLE)
    state = (
        owner_state(
            session=turn.session, person=owner, settings=turn.settings, content=turn.content, now=turn.now
        )
        if owner is not None
        else None
    )
    frozen = freeze(system=system, state=state, now=turn.now)
    row = service.create(
        session=turn.session,
        system_key=system.key,
        flagger_id=turn.person_id,
        owner_id=owner.id if owner else None,
        anonymous=values.get("anonymous") == "yes",
        reason=values["reason"],
        expected=values.get("expected", ""),
        output_text=values["output"],
        source_link=link,
        model_version=ownership.model_version(session=turn.session, system=system.key),
        trace_id=values.get("trace_id") or None,
        sla=frozen,
        now=turn.now,
    )
    due.plan(session=turn.session, row=row, remind_at=frozen.remind_at, now=turn.now)
    notices.post_card(
        session=turn.session, row=row, content=turn.content, settings=turn.settings, now=turn.now
    )
    weekly_check.ensure(session=turn.session, now=turn.now)
    return row


def promise(turn: Turn, row: Escalation) -> str:
    """The expected response time in plain words, e.g. "Omar usually answers within 2 working days"."""
    owner = people.get(session=turn.session, person_id=row.owner_id) if row.owner_id else None
    return turn.content.render(
        "escalations/received.md.j2",
        escalation={
            "reference": row.reference,
            "owner": owner.first_name if owner else "The owners",
            "due": duration_words(row.answer_hours, owner),
            "due_at": local_words(row.answer_due_at, turn.person, turn.settings),
        },
        system={"name": turn.content.systems[row.system_key].name},
    )


def flags_command(turn: Turn, _rest: str) -> list[Reply]:
    rows = service.open_for_flagger(session=turn.session, person_id=turn.person_id)
    names = {k: s.name for k, s in turn.content.systems.items()}
    return [Reply(message=messages.flags_list(rows, names), ephemeral=True)]


def escalation_command(turn: Turn, rest: str) -> list[Reply]:
    raw = rest.strip().upper().removeprefix("ESC-")
    wanted = row_id(raw)
    if wanted is None:
        raise UserError("Usage: `escalation ID`, e.g. `escalation 12`. Type `flags` to see yours.")
    row = service.get(session=turn.session, escalation_id=wanted)
    if row is None:
        raise UserError(f"There is no flag ESC-{raw}.")
    if row.flagger_id != turn.person_id and not actions.allowed(turn, row):
        raise UserError("Only the person who flagged it, the system's owners and admins can see that flag.")
    entries = service.timeline(session=turn.session, escalation_id=row.id or 0)
    names: dict[int, str] = {}
    for entry in entries:
        pid = entry.actor_person_id
        if pid is None or pid in names:
            continue
        hidden = row.anonymous and pid == row.flagger_id and turn.person_id != row.flagger_id
        names[pid] = (
            "someone (anonymous)" if hidden else notices.name(people.get(session=turn.session, person_id=pid))
        )
    return [Reply(message=messages.timeline_message(row, entries, names), ephemeral=True)]
