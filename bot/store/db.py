"""The database (SQLAlchemy's connection pool, `Store.database`) and units of work.

Sessions are synchronous and every unit of work runs in a worker thread (`Store.run`), so the
aiohttp event loop never waits on the database. Why sync in a thread rather than async sessions:
SQLModel's typed API, Alembic and the CLI are synchronous; flows stay plain functions that tests
call directly; and one code path serves SQLite and PostgreSQL. SQLite gets one writer thread (it
allows one writer anyway) whose queued units of work share a commit (`group_commit`); PostgreSQL
gets a small pool, a transaction per unit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, create_engine

from bot.store.changes import Changes
from bot.store.group_commit import GroupCommit
from bot.store.snapshot import OPTION, Snapshots

log = logging.getLogger(__name__)
T = TypeVar("T")
WRITES = "coach_writes"  # the execution option that marks a unit of work's connections


class Store:
    def __init__(self, url: str, *, workers: int | None = None) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.database = _connect(url)
        self.changes = Changes(self.database)  # how many writes this process committed (for caches)
        # What listings (help) may read without a query, kept while these counts stand (bot/store/snapshot).
        self.snapshots = Snapshots(self.changes)
        # Units of work begin with the write lock on SQLite (reads and the database's other users do not).
        self._writes = self.database.execution_options(**{WRITES: True, OPTION: self.snapshots})
        size = workers or (1 if self.is_sqlite else 8)
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="coach-db")
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="coach-db-read")
        self.group_commit = (
            GroupCommit(self._writes, self._executor) if self.is_sqlite and size == 1 else None
        )

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run `work` atomically in a worker thread: all of it is committed, or none of it and it raises.

        Returns only once the work is committed.
        """
        if self.group_commit is not None:
            value: T = await self.group_commit.run(work)
            return value
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.run_sync, work)

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run read-only `work` beside the units of work, never queued behind (or holding up) SQLite's one
        writer: for reports that scan a lot (the outcomes API). Nothing it does is committed."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read_sync, work)

    def _read_sync(self, work: Callable[[Session], T]) -> T:
        with Session(self.database) as session:
            try:
                return work(session)
            finally:
                session.rollback()

    def run_sync(self, work: Callable[[Session], T]) -> T:
        with self.session() as session:
            return work(session)

    def run_sync_idempotent(self, work: Callable[[Session], object], *, attempts: int = 3) -> None:
        """Run `work` that inserts only what is missing (a start-up seed), again when another process
        doing the same at the same moment inserted a row first: PostgreSQL's unique key refuses the
        second insert, and the next run finds the row (two `coach run` starting together)."""
        for attempt in range(1, attempts + 1):
            try:
                self.run_sync(work)
                return
            except IntegrityError:
                if attempt == attempts:
                    raise
                log.info("a unit of work raced another process inserting the same rows; running it again")

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self._writes, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self.database.dispose()


def _connect(url: str) -> Engine:
    # hide_parameters: a database error's text (logged with its traceback) names the statement but not
    # its values, which are people's messages and emails.
    if url.startswith("sqlite"):
        # isolation_level=None stops the sqlite3 module's own implicit BEGINs, which don't know about
        # SAVEPOINT (a savepoint opened outside them commits on release); SQLAlchemy says BEGIN instead.
        connect_args = {"check_same_thread": False, "timeout": 30, "isolation_level": None}
        engine = create_engine(url, connect_args=connect_args, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=4, hide_parameters=True)


def _sqlite_begin(connection: Connection) -> None:
    """A unit of work takes SQLite's write lock as it begins, waiting for it (busy_timeout) if another
    process holds it. A deferred BEGIN would read first and ask for the lock at its first write, which
    fails at once with "database is locked" if another process committed since the read: SQLite cannot
    move a read snapshot forward, so it does not wait (tests/test_store.py)."""
    immediate = connection.get_execution_options().get(WRITES, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Durable across a killed process (the WAL survives it); only an OS crash could lose the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
