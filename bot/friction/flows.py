"""Friction capture: the "Something's not working" form, the `friction` command (alias `report`), the
`friction.report` shortcut and the text hook that offers a report when someone writes frustration.

The form's context is "SYSTEM|CATEGORY|TEXT" (each part optional): what the opener knew already.
Owners' commands and buttons live in `bot.friction.actions`.
"""

from __future__ import annotations

import logging

from bot.content import Content
from bot.content.context import system_context
from bot.events import Shortcut, Submitted
from bot.friction import actions, due, notices, service
from bot.friction import messages as m
from bot.markdown import escape
from bot.messages import OPEN_FORM, Actions, Button, Field, Form, Message, Option, Reply, Text, private
from bot.programmes import service as programmes
from bot.routing import Command, FormSpec, Router, Usage
from bot.turn import Turn, UserError

log = logging.getLogger(__name__)

TRYING_MAX = 300
DETAILS_MAX = 2000  # a report's details, typed or carried from a message: whole up to this, refused over
BUTTON_VALUE_MAX = 2000  # Slack's limit on a button's value, which carries the offer's text to the form
ANONYMOUS = (Option("no", "No, the owners may see my name"), Option("yes", "Yes, keep my name out of it"))


def register(router: Router) -> None:
    router.command(
        Command(
            "friction",
            "Tell the owners something's not working (you can stay anonymous)",
            friction_command,
            usage="friction [what went wrong]",
            aliases=("report",),
            topic="Feedback",
            more=(
                Usage(
                    "friction list|summary|show ID",
                    "The friction reports routed to you, one with its buttons, and their themes",
                    allowed=actions.looks_after_reports,
                ),
                Usage(
                    "friction note ID TEXT|merge ID INTO|digest daily|weekly",
                    "Note on a report, merge a duplicate, or choose how often your digest comes",
                    allowed=actions.looks_after_reports,
                ),
                Usage("friction export", "Every friction report as CSV", role="admin"),
            ),
        )
    )
    router.form(FormSpec(m.REPORT_FORM, build_report_form, submit_report_form))
    router.shortcut(m.REPORT_FORM, report_shortcut)
    router.text_hooks.append(frustration_hook)
    actions.register(router)


def friction_command(turn: Turn, rest: str) -> list[Reply]:
    word, _, tail = rest.strip().partition(" ")
    handler = actions.SUBCOMMANDS.get(word.lower())
    if handler is not None:  # owners' views of reports: never shown to a channel
        return private(handler(turn, tail.strip()))
    return open_with(turn, rest.strip())


def report_shortcut(turn: Turn, event: Shortcut) -> list[Reply]:
    return open_with(turn, (event.message_text or "").strip())


def too_long(text: str) -> str | None:
    """Why `text` cannot become a report's details, naming the limit; None when it can."""
    if len(text) <= DETAILS_MAX:
        return None
    return (
        f"That is {len(text):,} characters; a friction report's details hold up to {DETAILS_MAX:,}. "
        "Tell us the part that matters most, in fewer words, and I'll open the form with it."
    )


def open_with(turn: Turn, said: str) -> list[Reply]:
    """The report form with `said` as its details, whole; never a cut copy of it."""
    refusal = too_long(said)
    if refusal is not None:
        raise UserError(refusal)
    return [Reply(form=build_report_form(turn, f"||{said}"))]


def default_system(turn: Turn) -> str:
    """The system of the person's programme, when they are in one; else the only system, if one."""
    systems = turn.content.systems
    for enrolment in programmes.enrolments_of(session=turn.session, person_id=turn.person_id):
        programme = turn.content.programmes.get(enrolment.programme_key)
        if programme is not None and programme.system in systems:
            return programme.system
    return next(iter(systems)) if len(systems) == 1 else ""


def _options(content: Content, kind: str) -> tuple[Option, ...]:
    if kind == "system":
        return tuple(Option(s.key, s.name) for s in content.systems.values())
    choices = content.friction.categories if kind == "category" else content.friction.severities
    return tuple(Option(c.key, c.label) for c in choices)


def build_report_form(turn: Turn, context: str) -> Form:
    content = turn.content
    system, _, rest = context.partition("|")
    category, _, said = rest.partition("|")
    if system not in content.systems:
        system = default_system(turn)
    if category not in {c.key for c in content.friction.categories}:
        category = ""
    fields = (
        Field(
            "trying_to",
            "What were you trying to do?",
            max_length=TRYING_MAX,
            placeholder="e.g. Summarise a long email thread",
        ),
        Field(
            "category",
            "What got in the way?",
            kind="select",
            options=_options(content, "category"),
            initial=category or None,
        ),
        Field("severity", "How much does it matter?", kind="select", options=_options(content, "severity")),
        Field(
            "details",
            "Details",
            kind="multiline",
            required=False,
            initial=said.strip() or None,
            max_length=DETAILS_MAX,
            hint="What happened, and what you expected instead",
        ),
        Field(
            "system",
            "Which AI system?",
            kind="select",
            options=_options(content, "system"),
            initial=system or None,
        ),
        Field("anonymous", "Stay anonymous?", kind="select", options=ANONYMOUS, initial="no"),
    )
    return Form(
        form_id=m.REPORT_FORM,
        title="Something's not working",
        fields=fields,
        submit_label="Send report",
        intro="Tell the people who run this programme what got in the way. You'll hear back when something changes.",
        context=system,
    )


def _errors(content: Content, values: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values["trying_to"]:
        errors["trying_to"] = "Tell us in a few words what you were trying to do."
    elif len(values["trying_to"]) > TRYING_MAX:
        errors["trying_to"] = f"Keep it under {TRYING_MAX} characters; there's room for more in Details."
    if len(values["details"]) > DETAILS_MAX:
        errors["details"] = f"Keep it under {DETAILS_MAX} characters."
    for name in ("category", "severity", "system"):
        if values[name] not in {o.value for o in _options(content, name)}:
            errors[name] = "Pick one of the options."
    if values["anonymous"] not in ("yes", "no"):
        errors["anonymous"] = "Pick yes or no."
    return errors


def submit_report_form(turn: Turn, event: Submitted) -> list[Reply]:
    content = turn.content
    values = {
        name: str(event.values.get(name, "") or "").strip()
        for name in ("trying_to", "category", "severity", "details", "system", "anonymous")
    }
    values["anonymous"] = values["anonymous"] or "no"
    values["system"] = values["system"] or event.context
    errors = _errors(content, values)
    if errors:
        return [Reply(form_errors=errors)]
    severity = next(s for s in content.friction.severities if s.key == values["severity"])
    owner = notices.owner_of(session=turn.session, system=values["system"])
    report = service.create(
        session=turn.session,
        reporter=turn.person,
        system_key=values["system"],
        category=values["category"],
        severity=severity.key,
        urgent=severity.urgent,
        trying_to=values["trying_to"],
        details=values["details"],
        anonymous=values["anonymous"] == "yes",
        owner_id=owner.id if owner else None,
        now=turn.now,
    )
    log.info(
        "friction report %s filed (system %s, severity %s)", report.id, report.system_key, report.severity
    )
    if report.urgent or owner is None:
        notices.post_card(
            session=turn.session, content=content, settings=turn.settings, report=report, now=turn.now
        )
    else:
        due.plan_digest(session=turn.session, owner=owner, settings=turn.settings, now=turn.now)
    text = m.render(content, "filed", report=report, reporter=turn.person, owner=owner, person=turn.person)
    return [Reply(message=Message(summary=f"Thanks: report {report.reference} filed", blocks=(Text(text),)))]


def frustration_hook(turn: Turn, text: str) -> list[Reply] | None:
    rule = turn.content.friction.match(text)
    if rule is None:
        return None
    system = default_system(turn)
    shown = system_context(turn.content.systems.get(system), system) if system else {"name": "these AI tools"}
    body = turn.content.render(
        "friction/offer.md.j2", person={"first_name": turn.person.first_name}, system=shown
    )
    said = text.strip()
    empty = f"{m.REPORT_FORM}|{system}|{rule.category or ''}|"
    room = min(DETAILS_MAX, BUTTON_VALUE_MAX - len(empty))
    value = empty + said
    blocks: tuple[Text, ...] = (Text(body),)
    if len(said) > room:  # too long to carry into the form whole: say so, never carry a cut copy
        value = empty
        note = (
            f"Your message ({len(said):,} characters) is longer than I can put in the form "
            f"(up to {room:,}), so the form starts empty: tell us the part that matters most."
        )
        blocks += (Text(escape(note)),)
    message = Message(
        summary="Would you like to report what's getting in the way?",
        blocks=(*blocks, Actions((Button(OPEN_FORM, "Report it", value=value, style="primary"),))),
    )
    return [Reply(message=message, ephemeral=not turn.event.place.is_direct)]
