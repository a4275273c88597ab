"""The evidence report as a document: per duty that applies, its source and date, the records that
evidence it and what is missing (Markdown or a printable page through the handover pack's renderer)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.evidence.records import Evidence, Record
from bot.handover.document import Block, Document, Section, Table

LABELS = {
    "literacy": "AI literacy: the adoption programme per person",
    "oversight": "Named people and their backups",
    "monitoring": "Monitoring: drift reviews, flags, decisions",
    "workers_informed": "People informed: announcements, delivery and acknowledgement per person",
    "logs": "The system's own logs",
}


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "—"
    return str(value)


def tables(records: list[Record]) -> list[Block]:
    """One table per kind of record, its columns the record's fields."""
    blocks: list[Block] = []
    kinds: dict[str, list[Record]] = {}
    for r in records:
        kinds.setdefault(r["kind"], []).append(r)
    for kind, rows in kinds.items():
        columns = [k for k in rows[0] if k not in ("kind", "evidence")]
        blocks.append(f"{kind.replace('_', ' ').capitalize()} ({len(rows)}):")
        blocks.append(
            Table(
                tuple(c.replace("_", " ") for c in columns),
                tuple(tuple(_text(r.get(c)) for c in columns) for r in rows),
            )
        )
    return blocks


def build(found: Evidence) -> Document:
    system = found.system
    period = (
        f"{_text(found.period.start) if found.period.start else 'the beginning'} to {_text(found.period.end)}"
    )
    about: list[Block] = [
        found.disclaimer,
        [
            f"System: {system.name} ({system.key})",
            f"Risk class: {system.risk_class or 'not set in systems.yaml'}",
            f"Go-live: {_text(system.go_live) if system.go_live else 'not set in systems.yaml'}",
            f"Period: {period}",
            "Duties that apply: " + (", ".join(d.title for d in found.duties) or "none listed"),
        ],
        *found.notes,
    ]
    sections = [Section("About this report", about)]
    for duty in found.duties:
        when = (
            f"Applies from {duty.applies_from:%Y-%m-%d}."
            if duty.applies_from
            else "Date of application: see content/duties.yaml."
        )
        blocks: list[Block] = [f"{duty.source}. {when} {duty.applies_note}".strip(), duty.summary]
        missing: list[str] = []
        for kind in duty.evidence:
            blocks.append(LABELS[kind])
            records = found.records.get(kind, [])
            blocks += tables(records) if records else ["No records."]
            missing += found.missing.get(kind, [])
        blocks += ["Missing:", missing] if missing else ["Nothing missing that the coach can see."]
        sections.append(Section(f"{duty.title} — {duty.key}", blocks))
    return Document(
        title=f"Governance evidence: {system.name} ({system.key})",
        subtitle=f"Generated {found.generated:%Y-%m-%d %H:%M} UTC by Adoption Coach.",
        sections=sections,
    )
