"""Friction reports rendered into neutral messages: the owner's card, the reporter's updates, digests.

Whatever a reporter wrote travels in `Quote` blocks or through `escape`/templates (which escape every
value), never as markdown. Nothing here names an anonymous reporter: `report_context` and `reporter_label`
are the only places that read the reporter, and both answer "anonymous" for an anonymous report.
"""

from __future__ import annotations

from typing import Any

from bot.content import Content
from bot.content.context import system_context
from bot.friction import service
from bot.friction.models import FrictionReport, Status
from bot.friction.themes import Themes
from bot.markdown import escape
from bot.messages import Actions, Block, Button, Context, Fact, Facts, Header, Message, Quote, Text
from bot.people.models import Person

TRIAGE = "friction.triage"
PLAN = "friction.plan"
FIXED = "friction.fixed"
WONT_FIX = "friction.wontfix"  # opens the reason form
BETTER = "friction.better"  # value "ID:yes:REVISION" / "ID:no:REVISION" (the root's, when it was fixed)
BETTER_LABELS = {"yes": "Yes, it's better", "no": "No, not really"}
REPORT_FORM = "friction.report"
WONT_FIX_FORM = "friction.wontfix"

OWNER_BUTTONS: tuple[tuple[str, str, Status], ...] = (
    (TRIAGE, "Triage", Status.triaged),
    (PLAN, "Plan", Status.planned),
    (FIXED, "Fixed", Status.fixed),
    (WONT_FIX, "Won't fix", Status.wont_fix),
)


def name_of(person: Person | None) -> str:
    if person is None:
        return "nobody yet"
    return person.display_name or person.email or f"person {person.id}"


def reporter_label(report: FrictionReport, reporter: Person | None) -> str:
    return "anonymous" if report.anonymous else name_of(reporter)


def label(content: Content, kind: str, key: str) -> str:
    choices = content.friction.categories if kind == "category" else content.friction.severities
    return next((c.label for c in choices if c.key == key), key)


def system_name(content: Content, key: str) -> str:
    system = content.systems.get(key)
    return system.name if system else key


def report_context(
    *, content: Content, report: FrictionReport, reporter: Person | None, owner: Person | None
) -> dict[str, Any]:
    """What templates see as `report` (shaped like the sample context's)."""
    return {
        "id": report.id,
        "reference": report.reference,
        "category": label(content, "category", report.category),
        "severity": label(content, "severity", report.severity),
        "trying_to": report.trying_to,
        "details": report.details,
        "status": report.status.value,
        "reason": report.reason or "",
        "anonymous": report.anonymous,
        "reporter": reporter_label(report, reporter),
        "owner": name_of(owner) if owner else "",
    }


def render(
    content: Content,
    template: str,
    *,
    report: FrictionReport,
    reporter: Person | None,
    owner: Person | None,
    person: Person | None = None,
    overrides: dict[str, Any] | None = None,
) -> str:
    context = report_context(content=content, report=report, reporter=reporter, owner=owner)
    return content.render(
        f"friction/{template}.md.j2",
        report={**context, **(overrides or {})},
        system=system_context(content.systems.get(report.system_key), report.system_key),
        person={"first_name": person.first_name if person else "", "name": name_of(person)},
    )


def owner_card(
    *, content: Content, report: FrictionReport, reporter: Person | None, owner: Person | None
) -> Message:
    """The card an owner acts on: what happened, who (unless anonymous), and the next moves."""
    body = render(content, "owner_card", report=report, reporter=reporter, owner=owner)
    blocks: list[Block] = [Header(f"Friction report {report.reference}"), Text(body)]
    blocks.append(Quote(report.trying_to, label="What they were trying to do"))
    if report.details:
        blocks.append(Quote(report.details, label="What got in the way"))
    facts = [
        Fact("System", system_name(content, report.system_key)),
        Fact("Category", label(content, "category", report.category)),
        Fact("How much it matters", label(content, "severity", report.severity)),
        Fact("Status", service.LABELS[report.status]),
        Fact("Reported by", reporter_label(report, reporter)),
        Fact("Owner", name_of(owner)),
    ]
    if report.reason:
        facts.append(Fact("Reason", report.reason))
    blocks.append(Facts(tuple(facts)))
    allowed = service.TRANSITIONS[report.status] if report.merged_into is None else frozenset()
    buttons = tuple(
        Button(action, text, value=str(report.id), style="primary" if to == Status.fixed else None)
        for action, text, to in OWNER_BUTTONS
        if to in allowed
    )
    if buttons:
        blocks.append(Actions(buttons))
    blocks.append(
        Context(f"`friction note {report.id} TEXT` adds a note · `friction list` shows open reports")
    )
    summary = f"Friction report {report.reference} ({service.LABELS[report.status]})"
    return Message(summary=summary, blocks=tuple(blocks))


def reporter_update(
    *, content: Content, root: FrictionReport, filed: FrictionReport, reporter: Person, owner: Person | None
) -> Message:
    """Tells a reporter what became of their report (`filed`, maybe merged into `root`)."""
    body = render(
        content,
        "update",
        report=filed,
        reporter=reporter,
        owner=owner,
        person=reporter,
        overrides={"status": root.status.value, "reason": root.reason or ""},
    )
    blocks: list[Block] = [Text(body), Quote(filed.trying_to, label="Your report")]
    if root.status == Status.fixed:
        blocks.append(Text("**Is it better now?**"))
        blocks.append(
            Actions(
                (
                    Button(
                        BETTER,
                        BETTER_LABELS["yes"],
                        value=f"{filed.id}:yes:{root.revision}",
                        style="primary",
                    ),
                    Button(BETTER, BETTER_LABELS["no"], value=f"{filed.id}:no:{root.revision}"),
                )
            )
        )
    summary = f"Update on your report {filed.reference}: {service.LABELS[root.status]}"
    return Message(summary=summary, blocks=tuple(blocks))


def report_line(content: Content, report: FrictionReport) -> str:
    trying = report.trying_to if len(report.trying_to) <= 80 else report.trying_to[:79] + "…"
    return (
        f"- **{report.reference}** {escape(system_name(content, report.system_key))} · "
        f"{escape(label(content, 'severity', report.severity))} · {service.LABELS[report.status]}: "
        f"{escape(trying)}"
    )


def themes_blocks(content: Content, found: Themes) -> list[Block]:
    blocks: list[Block] = []
    if found.by_category:
        blocks.append(
            Facts(tuple(Fact(label(content, "category", k), str(n)) for k, n in found.by_category[:10]))
        )
    if found.by_system:
        blocks.append(Facts(tuple(Fact(system_name(content, k), str(n)) for k, n in found.by_system[:10])))
    if found.by_week:
        blocks.append(Context("By week: " + ", ".join(f"{w}: {n}" for w, n in found.by_week[-8:])))
    return blocks


def digest_message(
    *,
    content: Content,
    owner: Person,
    period: str,
    reports: list[FrictionReport],
    urgent: int,
    found: Themes,
) -> Message:
    body = content.render(
        "friction/digest.md.j2",
        digest={
            "period": period,
            "count": len(reports),
            "urgent": urgent,
            "themes": [f"“{p}” ({n} reports)" for p, n in found.phrases],
        },
        person={"first_name": owner.first_name, "name": name_of(owner)},
    )
    blocks: list[Block] = [Header("Friction digest"), Text(body), *themes_blocks(content, found)]
    lines = [report_line(content, r) for r in reports[:20]]
    if len(reports) > 20:
        lines.append(f"- … and {len(reports) - 20} more: type `friction list`")
    blocks.append(Text("\n".join(lines)))
    blocks.append(
        Context(f"You get this {period}; change it with `friction digest daily` or `friction digest weekly`.")
    )
    return Message(summary=f"Friction digest: {len(reports)} new reports", blocks=tuple(blocks))
