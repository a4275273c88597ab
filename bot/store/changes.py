"""A count of this process's committed writes: a cheap "has anything changed since?" for caches.

Every statement that is not a plain read and touched a row marks its connection; a commit of a marked
connection adds one. Read-only units of work, and units that changed nothing (the ticker claiming due
work when none is due: an UPDATE of no rows), leave the count alone, so a cache keyed by it survives
page views and an idle scheduler. Writes made by another process are not counted: a cache keyed by this
must also expire (the dashboard's pages do, after a short while).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, event

READS = ("SELECT", "BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "SET", "SHOW", "WITH")
WROTE = "coach_wrote"  # the connection's mark, in its `info`


class Changes:
    def __init__(self, database: Engine) -> None:
        self._count = 0
        self._lock = threading.Lock()
        event.listen(database, "after_cursor_execute", self._statement)
        event.listen(database, "commit", self._commit)
        event.listen(database, "rollback", self._rollback)

    @property
    def count(self) -> int:
        return self._count

    def _statement(self, conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        # A false "wrote" costs a cache one rebuild; a missed one would show stale figures, so anything
        # not known to be a read counts unless the driver says it touched no row (rowcount 0; DDL and
        # unknowns are -1). A WITH … INSERT is rare here; WITH in this code base reads.
        if cursor.rowcount != 0 and not statement.lstrip()[:9].upper().startswith(READS):
            conn.info[WROTE] = True

    def _commit(self, conn: Any) -> None:
        if conn.info.pop(WROTE, False):
            with self._lock:
                self._count += 1

    def _rollback(self, conn: Any) -> None:
        conn.info.pop(WROTE, None)
