"""`coach people forget EMAIL`: erase a person's personal data and identities everywhere it sits.

Two passes:
1. Per table, what the person's own rows become (`RULES`): deleted (identities, drafts, planned work,
   sessions), or kept anonymised because they count in figures others rely on (their enrolment and answers
   in outcomes, their flags' and reports' SLA and status records, announcement receipts) with every text
   they wrote replaced. Their person row stays, with no name, email, time zone or roles, so that those
   figures keep counting one person.
2. Everywhere else (any text or JSON column of any table: messages queued or sent to others, due-work
   payloads, audit details, parked events, transcripts) their email, name and platform user ids are
   replaced by FORGOTTEN.

An audit entry `people.forget` records that it happened and what was kept, naming only the row id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    String,
    Text,
    Unicode,
    UnicodeText,
    cast,
    delete,
    or_,
    select,
    update,
)
from sqlmodel import Session, SQLModel

from bot.audit import service as audit
from bot.installations import service as installations
from bot.messages import dump_message, text_message
from bot.outbox.models import OutboxState
from bot.people import service as people

FORGOTTEN = "[forgotten]"
FORGOTTEN_NAME = "Forgotten person"
MIN_TERM = 3  # shorter names and ids would match unrelated text

# What happens to each table's rows that belong to the person; a test insists every table is here.
RULES: dict[str, str] = {
    "person": "kept with no name, email, time zone, roles or settings (figures keep counting one person)",
    "identity": "deleted (every platform identity)",
    "enrolment": "kept (stages count in outcomes); nothing in it names the person",
    "step_progress": "kept (steps done count in outcomes)",
    "pulse_answer": "kept (answers count in outcomes, only for groups of at least the minimum size)",
    "programme_preview": "deleted",
    "preview_step": "deleted",
    "programme_version": "holds no person",
    "due_work": "deleted (nothing more is planned for them)",
    "outbox_message": "their messages not yet sent are cancelled; every copy of a message to them is blanked",
    "usage_event": "kept under a pseudonymous handle (uses count in outcomes)",
    "usage_day": "kept (a day's uses and minutes per system count in outcomes); it holds their id, no handle",
    "usage_day_mark": "holds no person",
    "usage_rolled": "holds no person",
    "friction_report": "kept anonymised: what they wrote is erased, category, severity and status stay",
    "friction_note": "kept; the author is no longer named",
    "friction_digest_choice": "deleted",
    "escalation": "kept anonymised: the output, reason and link they gave are erased, the SLA record stays",
    "faq_entry": "kept (the owner's published answer); the output and expectation the flagger gave are erased, "
    "the publisher is no longer named",
    "flag_draft": "deleted",
    "announcement": "kept; the author is no longer named",
    "announcement_recipient": "kept (delivery counts)",
    "announcement_question": "kept anonymised: the question's text is erased, its answer and SLA stay",
    "role_assignment": "their roles are emptied (readiness shows the gap)",
    "auditentry": "kept; the actor is no longer named and their details are erased from the text",
    "drift_review": "kept anonymised (a system's accountability record): the reviewer is a forgotten person",
    "decision": "kept anonymised (a system's accountability record): the decider is a forgotten person",
    "drill": "kept anonymised (a system's accountability record): who started or stopped it is forgotten",
    "role_confirmation": "kept anonymised (a system's accountability record): who was asked, or took over, is a "
    "forgotten person",
    "departure_review": "kept anonymised (an admin's decision): who may have left, or decided, is a forgotten person",
    "channel_address": "holds no person",
    "system_record": "holds no person",
    "weekly_rollup": "holds no person (counts and totals per system and week)",
    "readiness_week": "holds no person (scores per system and week)",
    "processedevent": "holds no person",
    "send_pace": "holds no person",
    "parked_event": "their email, name and ids erased from the text",
    "transcript_line": "deleted (their local chat lines)",
    "dashboard_key": "holds no person",
    "dashboard_link": "deleted",
    "dashboard_session": "deleted",
    "workspace_installation": "kept (the bot token); the installing person's Slack id and user token are erased",
    "workspace_bot": "holds no person",
    "install_state": "holds no person",
}


@dataclass
class Forgotten:
    person_id: int
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        def part(title: str, counts: dict[str, int]) -> str:
            shown = ", ".join(f"{table} {n}" for table, n in sorted(counts.items()) if n)
            return f"{title}: {shown or 'nothing'}"

        return "; ".join(
            (
                part("deleted", self.deleted),
                part("kept anonymised", self.anonymised),
                part("names and emails erased from", self.scrubbed),
            )
        )


def forget(*, session: Session, email: str, now: datetime, actor_person_id: int | None) -> Forgotten | None:
    """Forget the person with this email; None when nobody has it."""
    person = people.by_email(session=session, email=email)
    if person is None or person.id is None:
        return None
    pid = person.id
    tables = SQLModel.metadata.tables
    identities = tables["identity"]
    user_ids = {
        str(u)
        for u in session.execute(select(identities.c.user_id).where(identities.c.person_id == pid)).scalars()
    }
    terms = {person.email or "", person.display_name or ""} | user_ids
    terms = {t for t in terms if len(t) >= MIN_TERM}
    result = Forgotten(pid)

    def remove(name: str, *where: Any) -> None:
        table = tables[name]
        result.deleted[name] = result.deleted.get(name, 0) + _count(
            session.execute(delete(table).where(*where))
        )

    def change(name: str, values: dict[str, Any], *where: Any, anonymised: bool = True) -> None:
        table = tables[name]
        n = _count(session.execute(update(table).where(*where).values(**values)))
        if anonymised:
            result.anonymised[name] = result.anonymised.get(name, 0) + n

    t = tables
    previews = select(t["programme_preview"].c.id).where(t["programme_preview"].c.person_id == pid)
    remove("preview_step", t["preview_step"].c.preview_id.in_(previews))
    remove("programme_preview", t["programme_preview"].c.person_id == pid)
    remove("identity", identities.c.person_id == pid)
    remove("due_work", t["due_work"].c.person_id == pid)
    remove("flag_draft", t["flag_draft"].c.person_id == pid)
    remove("friction_digest_choice", t["friction_digest_choice"].c.person_id == pid)
    remove("dashboard_link", t["dashboard_link"].c.person_id == pid)
    remove("dashboard_session", t["dashboard_session"].c.person_id == pid)
    if person.email:
        lines = t["transcript_line"]
        remove("transcript_line", or_(lines.c.author_email == person.email,
                                      lines.c.conversation.contains(person.email)))  # fmt: skip

    outbox = t["outbox_message"]
    blank = dump_message(text_message(FORGOTTEN))
    change("outbox_message", {"state": OutboxState.cancelled.value, "address": {}},
           outbox.c.person_id == pid, outbox.c.state.in_([OutboxState.pending.value, OutboxState.unreachable.value,
                                                          OutboxState.dead.value]), anonymised=False)  # fmt: skip
    change("outbox_message", {"payload": blank, "address": {}, "last_error": None}, outbox.c.person_id == pid)
    change("usage_event", {"person_handle": f"forgotten:{pid}"}, t["usage_event"].c.person_id == pid)
    report = t["friction_report"]
    change("friction_report", {"anonymous": True, "trying_to": FORGOTTEN, "details": FORGOTTEN},
           report.c.reporter_id == pid)  # fmt: skip
    change("friction_report", {"owner_id": None}, report.c.owner_id == pid, anonymised=False)
    change("friction_note", {"author_id": None}, t["friction_note"].c.author_id == pid)
    esc = t["escalation"]
    change("escalation", {"anonymous": True, "reason": FORGOTTEN, "expected": FORGOTTEN, "output_text": FORGOTTEN,
                          "source_link": None, "trace_id": None}, esc.c.flagger_id == pid)  # fmt: skip
    change("escalation", {"owner_id": None}, esc.c.owner_id == pid, anonymised=False)
    change("escalation", {"answered_by": None}, esc.c.answered_by == pid, anonymised=False)
    faq = t["faq_entry"]
    # A published answer keeps the owner's words; its copy of the output and what the flagger expected go
    # as they do from the flag (an empty output is never offered again: it is like no other output).
    change("faq_entry", {"output_text": "", "question": ""},
           faq.c.escalation_id.in_(select(esc.c.id).where(esc.c.flagger_id == pid)))  # fmt: skip
    change("faq_entry", {"published_by": None}, faq.c.published_by == pid)
    question = t["announcement_question"]
    change("announcement_question", {"text": FORGOTTEN}, question.c.person_id == pid)
    change(
        "announcement_question",
        {"communicator_id": None},
        question.c.communicator_id == pid,
        anonymised=False,
    )
    change(
        "announcement", {"author_id": None, "author_name": FORGOTTEN}, t["announcement"].c.author_id == pid
    )
    roles = t["role_assignment"]
    change("role_assignment", {"person_id": None}, roles.c.person_id == pid)
    change("role_assignment", {"updated_by": None}, roles.c.updated_by == pid, anonymised=False)
    change("auditentry", {"actor_person_id": None}, t["auditentry"].c.actor_person_id == pid)

    # Accountability records keep their row, now pointing at a person with no name: counted as kept.
    for name, column in (("drift_review", "reviewer_id"), ("decision", "decider_id"), ("drill", "started_by"),
                         ("drill", "stopped_by")):  # fmt: skip
        change(name, {column: pid}, t[name].c[column] == pid)

    # Before the scrub, which would turn the installer's id into FORGOTTEN and hide their rows.
    installed = installations.forget_installer(session=session, user_ids=user_ids, forgotten=FORGOTTEN)
    if installed:
        result.anonymised["workspace_installation"] = installed
    _scrub_everywhere(session, terms, result)

    person.email = None
    person.display_name = FORGOTTEN_NAME
    person.timezone = person.timezone_override = None
    person.snoozed_until = None
    person.stopped = True
    person.is_admin = person.is_owner = False
    person.active = False
    session.add(person)
    result.anonymised["person"] = 1
    audit.record(
        session=session,
        at=now,
        actor_person_id=actor_person_id,
        action="people.forget",
        subject=f"person:{pid}",
        detail={"deleted": result.deleted, "kept_anonymised": result.anonymised, "scrubbed": result.scrubbed},
    )
    return result


_TEXT_TYPES = (String, Text, Unicode, UnicodeText, JSON)


def _spellings(term: str) -> set[str]:
    """How a term may sit in stored text: as typed, and as JSON writes it by default (json.dumps escapes
    every non-ASCII character, so "Zoë" is stored as "Zo\\u00eb" in JSON columns and JSON kept as text)."""
    return {term, json.dumps(term)[1:-1]}


def _scrub_everywhere(session: Session, terms: set[str], result: Forgotten) -> None:
    """Replace every term in every text and JSON column of every table, wherever it sits."""
    if not terms:
        return
    spelt = {s for term in terms for s in _spellings(term)}
    for table in SQLModel.metadata.tables.values():
        columns = [c for c in table.columns if isinstance(c.type, _TEXT_TYPES) and not c.primary_key]
        if not columns or "id" not in table.c:
            continue
        found = [cast(c, Text).contains(term, autoescape=True) for c in columns for term in spelt]
        rows = session.execute(select(table).where(or_(*found))).mappings().all()
        for row in rows:
            values = {}
            for c in columns:
                value = row[c.name]
                new = _replaced(value, terms)
                if new != value:
                    values[c.name] = new
            if values:
                session.execute(update(table).where(table.c.id == row["id"]).values(**values))
                result.scrubbed[table.name] = result.scrubbed.get(table.name, 0) + 1


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _replaced(value: Any, terms: set[str]) -> Any:
    if isinstance(value, str):
        # Whole words only: forgetting "Uma" leaves "Umar" alone.
        for term in sorted(terms, key=len, reverse=True):
            for spelling in sorted(_spellings(term), key=len, reverse=True):
                value = _replace_words(value, spelling)
        return value
    if value is None or isinstance(value, int | float | bool):
        return value
    text = json.dumps(value, ensure_ascii=False)
    replaced = _replaced(text, {json.dumps(t, ensure_ascii=False)[1:-1] for t in terms})
    return value if replaced == text else json.loads(replaced)


def _replace_words(text: str, term: str) -> str:
    """`term` replaced where it is a whole word; a neighbour written as a JSON escape (\\u00e9) counts as
    the character it stands for."""
    kept: list[str] = []
    start = 0
    for found in re.finditer(re.escape(term), text):
        if _wordy(_before(text, found.start())) or _wordy(_after(text, found.end())):
            continue
        kept += [text[start : found.start()], FORGOTTEN]
        start = found.end()
    return "".join(kept) + text[start:] if kept else text


def _before(text: str, at: int) -> str:
    escaped = _ESCAPE.match(text, at - 6) if at >= 6 else None
    return chr(int(escaped.group(1), 16)) if escaped else text[at - 1 : at]


def _after(text: str, at: int) -> str:
    escaped = _ESCAPE.match(text, at)
    return chr(int(escaped.group(1), 16)) if escaped else text[at : at + 1]


def _wordy(char: str) -> bool:
    return bool(char) and (char.isalnum() or char == "_")


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
