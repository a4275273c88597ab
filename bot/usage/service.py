"""Persistence for usage events: idempotent bulk ingest, linking events to people once they are known
(`link_person`, which people calls when it learns a handle), and the reads triggers need."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.usage import days
from bot.usage.models import UsageEvent
from bot.usage.parse import UsageIn

log = logging.getLogger(__name__)

CHUNK = 1_000


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int  # new events; the rest were already known (same id)
    unknown_people: int  # distinct handles not matched to anyone the coach knows yet (events stored)
    person_ids: frozenset[int] = frozenset()  # the known people these events were about


def ingest(
    *, session: Session, events: Sequence[UsageIn], people: Mapping[str, int], now: datetime
) -> IngestResult:
    """Store new events (by id), each linked to its person when `people` (handle -> person id, from
    `people.service.ids_by_handle`) knows the handle; `link_person` links the rest once they are known."""
    stored = 0
    for start in range(0, len(events), CHUNK):
        rows = [
            {
                "external_id": e.id,
                "person_id": people.get(e.person),
                "person_handle": e.person,
                "system_key": e.system,
                "kind": e.kind,
                "value": e.value,
                "at": e.at,
                "received_at": now,
            }
            for e in events[start : start + CHUNK]
        ]
        table = UsageEvent.__table__  # type: ignore[attr-defined]
        statement = _insert_ignoring_duplicates(session).returning(table.c.system_key, table.c.at)
        # executemany with RETURNING: SQLAlchemy batches it, and only new rows come back.
        new = session.execute(statement, rows).all()
        days.mark(
            session=session, touched=[(system, at) for system, at in new]
        )  # a late event changes its day
        stored += len(new)
    unknown = len({e.person for e in events} - people.keys())
    return IngestResult(
        received=len(events), stored=stored, unknown_people=unknown, person_ids=frozenset(people.values())
    )


def _insert_ignoring_duplicates(session: Session):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    table = UsageEvent.__table__  # type: ignore[attr-defined]
    if dialect == "postgresql":
        return pg_insert(table).on_conflict_do_nothing(index_elements=["external_id"])
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=["external_id"])


def count_uses(*, session: Session, person_id: int, system: str | None = None) -> int:
    query = select(func.count()).select_from(UsageEvent).where(UsageEvent.person_id == person_id)
    if system:
        query = query.where(UsageEvent.system_key == system)
    return int(session.exec(query).one())


# `person_id + 0` keeps SQLite (which has no statistics here) off the (person_id, …) index: by it this
# would read every event of everyone still unknown, 90 ms at 150k of them instead of 0.3 ms.
_LINK = (
    update(UsageEvent)
    .where(
        (col(UsageEvent.person_id) + 0).is_(None),
        col(UsageEvent.person_handle).in_(bindparam("handles", expanding=True)),
    )
    .values(person_id=bindparam("person"))
    .returning(col(UsageEvent.system_key), col(UsageEvent.at))
)


def link_person(*, session: Session, person_id: int, handles: Iterable[str]) -> int:
    """Attach events sent before the person was known (matched by email or user id); how many.

    One UPDATE by the index on person_handle, so first contact never scans the table.
    """
    wanted = sorted({h for h in handles if h})
    if not wanted:
        return 0
    # Core, not the ORM: no event of theirs is loaded in a first contact's session, and the ORM's bulk
    # UPDATE (building it, matching the session's objects) was a sixth of a first contact's CPU. RETURNING
    # the linked events' days (their humans changed) costs no statement.
    touched = session.connection().execute(_LINK, {"person": person_id, "handles": wanted}).all()
    linked = len(touched)
    if linked:
        days.mark(session=session, touched=[(system, at) for system, at in touched])  # their humans changed
        log.info("%s earlier usage event(s) linked to person %s", linked, person_id)
    return linked
