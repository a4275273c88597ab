"""`evidence SYSTEM` in chat: admins get a short summary (duties, record counts, what is missing), privately;
the full report is the dashboard's evidence page or `coach evidence SYSTEM`."""

from __future__ import annotations

from bot.evidence import records
from bot.evidence.report import LABELS
from bot.markdown import escape
from bot.messages import Context, Header, Message, Reply, Text
from bot.routing import Command, Router
from bot.turn import Turn, UserError

MAX_MISSING = 5  # per kind of evidence: the message stays readable; the report has every line


def register(router: Router) -> None:
    router.command(
        Command(
            "evidence",
            "A system's governance evidence in short: duties, records, what is missing",
            evidence_command,
            usage="evidence SYSTEM",
            role="admin",
            topic="Ownership",
            private=True,
        )
    )


def evidence_command(turn: Turn, rest: str) -> list[Reply]:
    word = rest.strip().split()[0] if rest.strip() else ""
    systems = ", ".join(turn.content.systems)
    if not word:
        raise UserError(f"Usage: `evidence SYSTEM`. Systems: {systems}.")
    system = turn.content.systems.get(word)
    if system is None:
        raise UserError(f"I don't know the system {word!r}. Systems: {systems}.")
    period = records.Period(None, turn.now)
    found = records.gather(
        session=turn.session, content=turn.content, system=system, period=period, now=turn.now
    )
    return [Reply(message=summary(found))]


def summary(found: records.Evidence) -> Message:
    system = found.system
    title = f"Governance evidence: {system.name} ({system.key})"
    about = [
        f"Risk class: {escape(system.risk_class or 'not set in systems.yaml')}",
        f"Go-live: {system.go_live:%Y-%m-%d}" if system.go_live else "Go-live: not set in systems.yaml",
    ]
    blocks: list[Header | Text | Context] = [
        Header(title),
        Text("\n".join(about + [escape(n) for n in found.notes])),
    ]
    for duty in found.duties:
        lines = [f"**{escape(duty.title)}** ({escape(duty.source)})"]
        for kind in duty.evidence:
            count = len(found.records.get(kind, []))
            lines.append(f"- {escape(LABELS[kind])}: {count} record{'' if count == 1 else 's'}")
            missing = found.missing.get(kind, [])
            lines += [f"  - missing: {escape(m)}" for m in missing[:MAX_MISSING]]
            if len(missing) > MAX_MISSING:
                lines.append(f"  - and {len(missing) - MAX_MISSING} more missing")
        blocks.append(Text("\n".join(lines)))
    if not found.duties:
        blocks.append(Text("No duties listed for this system (see content/duties.yaml)."))
    blocks.append(
        Context(
            f"{escape(found.disclaimer)} The full report: the dashboard's readiness page (evidence report), "
            f"or `coach evidence {escape(system.key)} --html` on the coach's host."
        )
    )
    return Message(summary=title, blocks=tuple(blocks))
