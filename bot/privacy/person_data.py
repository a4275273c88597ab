"""Everything stored about one person, found through the schema itself.

A row is a person's when a column referring to `person.id` names them (found from the foreign keys, so a
new table with a person column is covered without editing this file), or through `INDIRECT`: a row that
belongs to one of theirs (a step of their enrolment) or names them by email or handle. `NOT_PERSONAL`
names every other table and why it holds nothing about a person; a test insists each table is in one of
the three, as the privacy statement's test does for `KEPT`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Table, or_, select
from sqlmodel import Session, SQLModel

from bot.people import service as people
from bot.people.models import Person


@dataclass(frozen=True)
class Indirect:
    """Rows of `table` whose `column` equals the person's `key` (an email, a handle), or whose `column`
    is the id of a row of `via` that is theirs."""

    column: str
    key: str | None = None  # "email": the person's email; "handle": their email or any platform user id
    via: str | None = None


INDIRECT: dict[str, Indirect] = {
    "step_progress": Indirect("enrolment_id", via="enrolment"),
    "preview_step": Indirect("preview_id", via="programme_preview"),
    "transcript_line": Indirect("author_email", key="email"),
    "usage_event": Indirect("person_handle", key="handle"),  # usage sent before the coach met them
    "usage_day": Indirect("person_handle", key="handle"),  # the same, summed per day
}

NOT_PERSONAL: dict[str, str] = {
    "channel_address": "a channel's address, no people",
    "dashboard_key": "the dashboard's signing key",
    "parked_event": "a Slack event waiting after a stop, handled within a minute",
    "processedevent": "platform event ids, no people, kept two days",
    "send_pace": "a platform quota's next free moment and rate, no people",
    "programme_version": "a programme's text",
    "system_record": "an AI system",
    "weekly_rollup": "counts and totals per system and week",
    "readiness_week": "readiness scores per system and week",
    "usage_day_mark": "days of usage to sum again, per system",
    "usage_rolled": "how far each system's usage is summed per day",
    # Tokens: a workspace's, never a person's export (an installer's id is erased when they are forgotten).
    "workspace_installation": "a Slack workspace's installation",
    "workspace_bot": "a Slack workspace's bot token",
    "install_state": "a Slack install in progress, ten minutes",
    "person": "the person's own row, exported first",
}


def person_columns(table: Table) -> list[str]:
    """The columns of `table` that hold a person's id."""
    return [
        column.name
        for column in table.columns
        if any(fk.column.table.name == Person.__tablename__ for fk in column.foreign_keys)
    ]


def export(*, session: Session, person: Person) -> dict[str, Any]:
    """{"person": {...}, "tables": {table: [row, ...]}}: every row that names the person, as JSON."""
    assert person.id is not None
    handles = {person.email} if person.email else set()
    identities = SQLModel.metadata.tables["identity"]
    handles |= {str(u) for u in session.execute(select(identities.c.user_id).where(
        identities.c.person_id == person.id)).scalars()}  # fmt: skip
    found: dict[str, list[dict[str, Any]]] = {}
    ids: dict[str, set[Any]] = {}
    tables = sorted(SQLModel.metadata.tables.values(), key=lambda t: (t.name in INDIRECT, t.name))
    for table in tables:
        columns = person_columns(table)
        where = [table.c[name] == person.id for name in columns]
        indirect = INDIRECT.get(table.name)
        if indirect is not None and indirect.via is not None:
            where.append(table.c[indirect.column].in_(sorted(ids.get(indirect.via, set())) or [-1]))
        elif indirect is not None and indirect.key == "email" and person.email:
            where.append(table.c[indirect.column] == person.email)
        elif indirect is not None and indirect.key == "handle" and handles:
            where.append(table.c[indirect.column].in_(sorted(handles)))
        if not where:
            continue
        rows = [dict(row._mapping) for row in session.execute(select(table).where(or_(*where)))]
        if "id" in table.c:
            ids[table.name] = {row["id"] for row in rows}
        if rows:
            found[table.name] = [_json(row) for row in rows]
    own = session.get(Person, person.id)
    return {"person": _json(own.model_dump() if own else {}), "tables": found}


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _value(value) for key, value in row.items()}


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return json.loads(json.dumps(value, default=str))
    return str(value)


def export_json(*, session: Session, email: str) -> str | None:
    """The export of the person with this email as indented JSON, or None when nobody has it."""
    person = people.by_email(session=session, email=email)
    if person is None:
        return None
    return json.dumps(export(session=session, person=person), indent=2, ensure_ascii=False, sort_keys=True)
