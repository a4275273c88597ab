"""The messages and forms of escalations. A person's text (the output, the question, the answer)
always travels in a `Quote` block or through `escape`, so it arrives inert on every platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.audit.models import AuditEntry
from bot.content import System
from bot.escalations.drafts import MAX_OUTPUT
from bot.escalations.models import Escalation, FaqEntry, FlagDraft, Status
from bot.escalations.service import REASONS, RESOLUTIONS
from bot.markdown import escape
from bot.messages import (
    OPEN_FORM,
    Actions,
    Button,
    Context,
    Fact,
    Facts,
    Field,
    Form,
    Header,
    Message,
    Option,
    Quote,
    Text,
)
from bot.privacy.redact import Redacted
from bot.wording import excerpt, plural

FLAG_FORM = "escalation.flag"
ANSWER_FORM = "escalation.answer"
REASSIGN_FORM = "escalation.reassign"
ACK = "escalation.ack"
RESOLVE = "escalation.resolve"
PUBLISH = "escalation.publish"
RATE = "escalation.rate"
SHOW_OUTPUT = "escalation.full_output"
FORM_OUTPUT = 3000  # an output typed into the form: a Slack modal's text input holds 3,000 characters
CARD_EXCERPT = 2000  # what the owners' card shows of an output; "Show full output" opens the rest
SHORT_EXCERPT = 500  # in notices, the answer to the flagger and the timeline
EXPECTED_MAX = 2000
TRACE_MAX = 200
ANSWER_MAX = 2800  # an owner's answer, by form or thread reply: it is quoted whole in one message block


@dataclass(frozen=True)
class CardFacts:
    system: str
    flagged_by: str
    owner: str
    acknowledge_by: str
    answer_by: str


def flag_form(
    *,
    systems: Sequence[System],
    draft: FlagDraft | None,
    system_key: str | None,
    context: str,
    faq: FaqEntry | None = None,
    shared: Redacted | None = None,
) -> Form:
    """With a `draft` the output is kept on the server and only shown; without one it is typed here."""
    intro = "Tell the owners of the AI system what confused you. They will answer you here."
    if faq is not None:
        intro = (
            "**This may already be answered.** An owner explained a very similar output:\n\n"
            f"{_quoted(excerpt(faq.answer, CARD_EXCERPT))}\n\n"
            "If that doesn't help, send your flag below."
        )
    output: tuple[Field, ...] = (
        Field(
            "output",
            "The AI output",
            kind="multiline",
            max_length=FORM_OUTPUT,
            hint=f"Up to {FORM_OUTPUT:,} characters here. Longer? Send it to me in a message starting "
            f"`flag` (up to {MAX_OUTPUT:,}), or flag the message it is in.",
        ),
    )
    if draft is not None and shared is not None and shared.changed:
        intro += (
            "\n\n"
            + _flagging(shared.text)
            + (
                f"\n\nBefore the owners see it, the coach hides personal details: {shared.summary()} "
                "(shown above as they will see it)."
            )
        )
        output = ()
    elif draft is not None:
        intro += "\n\n" + _flagging(draft.output_text)
        output = ()
    return Form(
        form_id=FLAG_FORM,
        title="Flag an AI output",
        intro=intro,
        context=context,
        submit_label="Send",
        fields=(
            *output,
            Field(
                "reason",
                "What was confusing?",
                kind="select",
                options=tuple(Option(k, v.capitalize()) for k, v in REASONS.items()),
                initial="unclear",
            ),
            Field(
                "expected", "What did you expect?", kind="multiline", required=False, max_length=EXPECTED_MAX
            ),
            Field(
                "system",
                "Which AI system?",
                kind="select",
                options=tuple(Option(s.key, s.name) for s in systems),
                initial=system_key,
            ),
            Field("trace_id", "Trace id (if the tool shows one)", required=False, max_length=TRACE_MAX),
            Field(
                "anonymous",
                "Stay anonymous to the owner?",
                kind="select",
                options=(Option("no", "No, show my name"), Option("yes", "Yes, hide my name")),
                initial="no",
            ),
        ),
    )


def answer_form(row: Escalation) -> Form:
    return Form(
        form_id=ANSWER_FORM,
        title="Answer the flag",
        intro=f"Your answer goes to the person who flagged {row.reference}.",
        context=str(row.id),
        submit_label="Send answer",
        fields=(Field("answer", "Your answer", kind="multiline", max_length=ANSWER_MAX),),
    )


def reassign_form(row: Escalation) -> Form:
    return Form(
        form_id=REASSIGN_FORM,
        title="Reassign the flag",
        intro=f"Who should answer {row.reference}? They'll get it in their DM.",
        context=str(row.id),
        submit_label="Reassign",
        fields=(Field("owner", "New owner's email", placeholder="name@example.com", max_length=200),),
    )


def card(row: Escalation, facts: CardFacts) -> Message:
    """The card in the escalation channel (or the owner's DM)."""
    blocks: list[Header | Text | Quote | Facts | Context | Actions] = [
        Header(f"{row.reference}: an output of {facts.system} was flagged"),
        Facts(
            (
                Fact("Flagged by", facts.flagged_by),
                Fact("Why", REASONS.get(row.reason, row.reason)),
                Fact("Owner", facts.owner),
                Fact("Status", _status(row)),
                Fact("Acknowledge by", facts.acknowledge_by),
                Fact("Answer by", facts.answer_by),
            )
        ),
        Quote(excerpt(row.output_text, CARD_EXCERPT), label=_output_label(row.output_text, CARD_EXCERPT)),
    ]
    if row.expected:
        blocks.append(Quote(row.expected, label="What they expected"))
    if row.answer:
        blocks.append(Quote(row.answer, label="Answer"))
    extra = [f"Model version: {row.model_version or 'not recorded'}"]
    if row.trace_id:
        extra.append(f"trace {row.trace_id}")
    blocks.append(Context(escape(" · ".join(extra))))
    if row.source_link:
        blocks.append(Context(_link("Open the source message", row.source_link)))
    blocks.append(Actions(card_buttons(row, shown=CARD_EXCERPT)))
    if not row.is_closed:
        blocks.append(Context("Or just reply in this thread: your reply goes to the person as the answer."))
    return Message(summary=f"{row.reference}: an output of {facts.system} was flagged", blocks=tuple(blocks))


def card_buttons(row: Escalation, *, shown: int) -> tuple[Button, ...]:
    """The owners' buttons; "Show full output" first when only `shown` characters of it are shown."""
    value = str(row.id)
    buttons: list[Button] = []
    if len(row.output_text) > shown:
        buttons.append(show_output_button(row))
    if not row.is_closed:
        if row.acknowledged_at is None:
            buttons.append(Button(ACK, "Acknowledge", value=value, style="primary"))
        buttons += [
            Button(OPEN_FORM, "Answer", value=f"{ANSWER_FORM}|{value}"),
            Button(OPEN_FORM, "Reassign", value=f"{REASSIGN_FORM}|{value}"),
        ]
        buttons += [
            Button(RESOLVE, f"Resolve: {label}", value=f"{value}:{key}") for key, label in RESOLUTIONS.items()
        ]
    if row.answer:
        buttons.append(Button(PUBLISH, "Publish as FAQ", value=value))
    return tuple(buttons)


def show_output_button(row: Escalation) -> Button:
    return Button(SHOW_OUTPUT, "Show full output", value=str(row.id))


def full_output(row: Escalation) -> Message:
    """The whole output, for "Show full output" (a dialog where the platform has one)."""
    return Message(
        summary=f"{row.reference}: the full output",
        blocks=(
            Header(f"{row.reference}: the full output"),
            Context(f"{len(row.output_text):,} characters, exactly as flagged."),
            Quote(row.output_text),
        ),
    )


def received(*, row: Escalation, system: str, body: str, hidden: str | None = None) -> Message:
    """`body` is templates/escalations/received.md.j2, rendered (values escaped) by the flow; `hidden`
    names the personal details hidden from the owners, shown with what they got."""
    notes = ["Type `flags` to see your open flags."]
    if hidden is not None:
        shared = Quote(excerpt(row.output_text, SHORT_EXCERPT), label="What the owners see")
        return Message(
            summary=f"Thanks, your flag {row.reference} is with the owners of {system}",
            blocks=(
                Text(body),
                shared,
                Context(f"Hidden from the owners: {hidden}."),
                *(Context(note) for note in notes),
            ),
        )
    if len(row.output_text) > CARD_EXCERPT:
        notes.insert(
            0,
            f"The owners' card shows the first {CARD_EXCERPT:,} of its {len(row.output_text):,} characters, "
            "with **Show full output** for all of it.",
        )
    return Message(
        summary=f"Thanks, your flag {row.reference} is with the owners of {system}",
        blocks=(Text(body), *(Context(note) for note in notes)),
    )


def answer_dm(*, row: Escalation, by: str, body: str) -> Message:
    """`body` is templates/escalations/answered.md.j2, rendered by the flow."""
    return Message(
        summary=f"{by} answered your flag {row.reference}",
        blocks=(
            Text(body),
            Quote(row.answer or "", label="Answer"),
            Quote(excerpt(row.output_text, SHORT_EXCERPT), label="What you flagged"),
            Text("Did this help?"),
            Actions(
                (
                    Button(RATE, "Yes", value=f"{row.id}:yes", style="primary"),
                    Button(RATE, "No", value=f"{row.id}:no"),
                    *((show_output_button(row),) if len(row.output_text) > SHORT_EXCERPT else ()),
                )
            ),
        ),
    )


def notice(*, title: str, body: str, row: Escalation, actions: bool = False) -> Message:
    """A reminder or escalation notice to a person; `body` is markdown this module built."""
    blocks: list[Text | Quote | Actions | Context] = [
        Text(f"**{escape(title)}**"),
        Text(body),
        Quote(excerpt(row.output_text, SHORT_EXCERPT), label=_output_label(row.output_text, SHORT_EXCERPT)),
    ]
    if actions:
        blocks.append(Actions(card_buttons(row, shown=SHORT_EXCERPT)))
    elif len(row.output_text) > SHORT_EXCERPT:
        blocks.append(Actions((show_output_button(row),)))
    blocks.append(Context(f"Type `escalation {row.id}` to see its timeline."))
    return Message(summary=title, blocks=tuple(blocks))


def flags_list(rows: Sequence[Escalation], names: dict[str, str]) -> Message:
    if not rows:
        return Message(summary="No open flags", blocks=(Text("You have no open flags."),))
    lines = [
        f"- **{r.reference}** {escape(names.get(r.system_key, r.system_key))}: {_status(r)}"
        f" ({REASONS.get(r.reason, r.reason)})"
        for r in rows
    ]
    return Message(
        summary=f"You have {plural(len(rows), 'open flag')}",
        blocks=(Text("**Your open flags**"), Text("\n".join(lines)), Context("`escalation ID` shows one.")),
    )


def timeline_message(row: Escalation, entries: Sequence[AuditEntry], names: dict[int, str]) -> Message:
    lines = []
    for entry in entries:
        who = names.get(entry.actor_person_id or 0, "the coach")
        what = entry.action.removeprefix("escalation.").replace("_", " ")
        lines.append(f"- {entry.at:%a %d %b %H:%M} UTC: {escape(what)} ({escape(who)})")
    return Message(
        summary=f"Timeline of {row.reference}",
        blocks=(
            Header(f"{row.reference}: {_status(row)}"),
            Quote(
                excerpt(row.output_text, SHORT_EXCERPT), label=_output_label(row.output_text, SHORT_EXCERPT)
            ),
            Text("\n".join(lines) or "Nothing yet."),
        ),
    )


def _output_label(output: str, shown: int) -> str:
    if len(output) <= shown:
        return "The output"
    return f"The output (the start of its {len(output):,} characters)"


def _flagging(output: str) -> str:
    """What the form shows of an output kept on the server, and what the owners will see of it."""
    lines = [
        f"**The output you are flagging** ({plural(len(output), 'character')}):",
        "",
        _quoted(excerpt(output, SHORT_EXCERPT)),
    ]
    if len(output) > CARD_EXCERPT:
        lines += [
            "",
            f"The owners get all of it: their card shows the first {CARD_EXCERPT:,} characters, "
            "with **Show full output** for the rest.",
        ]
    return "\n".join(lines)


def _quoted(text: str) -> str:
    """A person's text as markdown quote lines, escaped (for form intros, which are markdown)."""
    return "\n".join(f"> {escape(line)}" if line.strip() else ">" for line in text.splitlines() or [""])


def _status(row: Escalation) -> str:
    if row.status == Status.resolved:
        return f"resolved as {RESOLUTIONS.get(row.resolution or '', row.resolution or '?')}"
    return str(row.status)


def _link(label: str, url: str) -> str:
    from bot.content import link

    return str(link(label, url))
