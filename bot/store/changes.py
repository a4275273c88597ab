"""A count of this process's committed writes: a cheap "has anything changed since?" for caches.

Every statement that is not a plain read and touched a row marks its connection, with the table it wrote
when the statement names one plainly (INSERT INTO t, UPDATE t, DELETE FROM t); a commit of a marked
connection adds one to the count and to each table's. Read-only units of work, and units that changed
nothing (the ticker claiming due work when none is due: an UPDATE of no rows), leave the counts alone, so
a cache keyed by them survives page views and an idle scheduler. A write whose table is not plain (DDL,
anything unusual) counts for every table. Writes made by another process are not counted: a cache keyed
by this must also expire (the dashboard's pages and the listings' snapshots do, after a short while).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, event

READS = ("SELECT", "BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "SET", "SHOW", "WITH")
WROTE = "coach_wrote"  # the connection's mark, in its `info`
TABLES = "coach_wrote_tables"  # the tables it wrote in this transaction (None: a write of unknown table)
_TABLE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


class Changes:
    def __init__(self, database: Engine) -> None:
        self._count = 0
        self._tables: Counter[str | None] = Counter()
        self._lock = threading.Lock()
        event.listen(database, "after_cursor_execute", self._statement)
        event.listen(database, "commit", self._commit)
        event.listen(database, "rollback", self._rollback)

    @property
    def count(self) -> int:
        return self._count

    def version(self, tables: Iterable[str]) -> tuple[int, ...]:
        """Changes when this process commits a write to one of `tables` (or to a table it cannot name)."""
        with self._lock:
            return (self._tables[None], *(self._tables[t] for t in tables))

    def _statement(self, conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        # A false "wrote" costs a cache one rebuild; a missed one would show stale figures, so anything
        # not known to be a read counts unless the driver says it touched no row (rowcount 0; DDL and
        # unknowns are -1). A WITH … INSERT is rare here; WITH in this code base reads.
        if cursor.rowcount != 0 and not statement.lstrip()[:9].upper().startswith(READS):
            conn.info[WROTE] = True
            table = _TABLE.match(statement)
            conn.info.setdefault(TABLES, set()).add(table.group(1).lower() if table else None)

    def _commit(self, conn: Any) -> None:
        tables: set[str | None] = conn.info.pop(TABLES, set())
        if conn.info.pop(WROTE, False):
            with self._lock:
                self._count += 1
                self._tables.update(tables)

    def _rollback(self, conn: Any) -> None:
        conn.info.pop(WROTE, None)
        conn.info.pop(TABLES, None)


def wrote(conn: Any, tables: Iterable[str]) -> bool:
    """Whether this connection's open transaction has written one of `tables` (or a table unnamed)."""
    written: set[str | None] = conn.info.get(TABLES, set())
    return bool(written) and (None in written or any(t in written for t in tables))
