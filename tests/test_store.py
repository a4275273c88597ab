"""Units of work: atomic one by one, and on SQLite committed together when they queue up."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.audit.models import ProcessedEvent
from bot.migrations.migrate import create_all
from bot.people.models import Identity
from bot.store.db import Store

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def keys(store: Store) -> set[str]:
    with store.session() as session:
        return set(session.exec(select(ProcessedEvent.key)).all())


def add(key: str):  # type: ignore[no-untyped-def]
    def work(session: Session) -> str:
        session.add(ProcessedEvent(key=key, at=AT))
        session.flush()
        return key

    return work


def fail_after_adding(key: str):  # type: ignore[no-untyped-def]
    def work(session: Session) -> str:
        add(key)(session)
        raise ValueError(f"{key} changed its mind")

    return work


async def test_a_failing_unit_rolls_back_alone_and_only_its_caller_hears(store: Store) -> None:
    results = await asyncio.gather(
        *(store.run(fail_after_adding(f"k{i}") if i in (0, 3) else add(f"k{i}")) for i in range(8)),
        return_exceptions=True,
    )
    assert [r if isinstance(r, str) else type(r).__name__ for r in results] == [
        "ValueError", "k1", "k2", "ValueError", "k4", "k5", "k6", "k7",
    ]  # fmt: skip
    assert keys(store) == {f"k{i}" for i in range(8)} - {"k0", "k3"}


async def test_work_is_committed_before_its_caller_gets_the_result(store: Store) -> None:
    other = Store(store.url)  # another connection, as another process would have
    try:
        for i in range(5):
            await store.run(add(f"seen{i}"))
            assert f"seen{i}" in keys(other)
    finally:
        other.close()


@pytest.fixture
def sqlite_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'group.db'}")
    create_all(store)
    yield store
    store.close()


def count_commits(store: Store) -> list[int]:
    commits = [0]

    def on_commit(_connection: object) -> None:
        commits[0] += 1

    event.listen(store.database, "commit", on_commit)
    return commits


async def occupy_writer(store: Store, then: Callable[[Session], Any] = lambda _session: None):  # type: ignore[no-untyped-def]
    """Keep the writer thread busy until the returned event is set, so that units queue behind it."""
    started, release = threading.Event(), threading.Event()

    def blocker(session: Session) -> Any:
        started.set()
        release.wait(5)
        return then(session)

    first = asyncio.ensure_future(store.run(blocker))
    assert await asyncio.to_thread(started.wait, 5)
    return release, first


async def test_when_the_first_unit_of_a_batch_fails_the_others_still_run(sqlite_store: Store) -> None:
    release, first = await occupy_writer(sqlite_store)
    queued = [
        asyncio.ensure_future(sqlite_store.run(work))
        for work in (fail_after_adding("lead"), add("a"), fail_after_adding("middle"), add("b"))
    ]
    await asyncio.sleep(0.05)
    release.set()
    await first
    results = await asyncio.gather(*queued, return_exceptions=True)
    assert [r if isinstance(r, str) else type(r).__name__ for r in results] == [
        "ValueError",
        "a",
        "ValueError",
        "b",
    ]
    assert keys(sqlite_store) == {"a", "b"}


async def test_units_that_queue_up_on_sqlite_share_one_commit(sqlite_store: Store) -> None:
    assert sqlite_store.group_commit is not None
    sqlite_store.group_commit.max_seconds = 10  # only the unit count closes a batch here
    commits = count_commits(sqlite_store)
    release, first = await occupy_writer(sqlite_store, then=add("first"))
    queued = [asyncio.ensure_future(sqlite_store.run(add(f"q{i}"))) for i in range(20)]
    await asyncio.sleep(0.05)
    release.set()
    assert await first == "first"
    assert await asyncio.gather(*queued) == [f"q{i}" for i in range(20)]
    assert commits[0] <= 2  # 21 units: the blocker's transaction, then the queued ones together
    assert keys(sqlite_store) == {"first"} | {f"q{i}" for i in range(20)}


async def test_a_failed_commit_fails_every_unit_of_its_batch(sqlite_store: Store) -> None:
    def orphan(session: Session) -> None:
        # A foreign key checked only at COMMIT: the unit itself succeeds, the batch's commit fails.
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        session.add(Identity(person_id=999_999, platform="local", workspace="w", user_id="nobody"))
        session.flush()

    release, first = await occupy_writer(sqlite_store)  # its own batch: that deadline is already set
    assert sqlite_store.group_commit is not None
    sqlite_store.group_commit.max_seconds = 10  # the three below share the next batch, however slow
    batch = [sqlite_store.run(add("before")), sqlite_store.run(orphan), sqlite_store.run(add("after"))]
    queued = [asyncio.ensure_future(b) for b in batch]
    await asyncio.sleep(0.05)
    release.set()
    await first
    results = await asyncio.gather(*queued, return_exceptions=True)
    assert all(isinstance(r, IntegrityError) for r in results), results
    assert keys(sqlite_store) == set()
    assert await sqlite_store.run(add("later")) == "later"  # the writer goes on


def test_a_released_savepoint_is_not_a_commit_on_sqlite(sqlite_store: Store) -> None:
    """The sqlite3 module's implicit transactions let a SAVEPOINT opened first commit on release."""
    with pytest.raises(RuntimeError), sqlite_store.session() as session:
        with session.begin_nested():
            session.add(ProcessedEvent(key="nested", at=AT))
        raise RuntimeError("the unit of work fails after its savepoint")
    with sqlite_store.session() as session:
        assert session.exec(select(func.count()).select_from(ProcessedEvent)).one() == 0


async def test_a_closed_store_refuses_work_at_once(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'closed.db'}")
    create_all(store)
    store.close()
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(store.run(add("late")), 5)


async def test_a_read_runs_beside_a_busy_writer_and_commits_nothing(sqlite_store: Store) -> None:
    def count(session: Session) -> int:
        return session.exec(select(func.count()).select_from(ProcessedEvent)).one()

    release, first = await occupy_writer(sqlite_store)
    try:
        read = await asyncio.wait_for(sqlite_store.read(count), timeout=5)
    finally:
        release.set()
        await first
    assert read == 0
    # A read that writes (it should not) keeps nothing. Not beside a busy unit of work: that holds SQLite's
    # write lock from its start, so a write in a read would wait for it.
    assert await asyncio.wait_for(sqlite_store.read(add("not kept")), timeout=5) == "not kept"
    assert keys(sqlite_store) == set()


def test_a_unit_beside_another_process_writing_does_not_fail_on_a_stale_snapshot(tmp_path: Path) -> None:
    """`coach people forget` (a CLI process) beside `coach run` on one SQLite file: a unit that read before
    the other committed, then writes, would fail at once with "database is locked" (SQLite cannot move a
    read snapshot forward into a write, and does not wait). A unit of work takes the write lock as it
    begins, so the other process waits for it instead (this one does not wait, so it is refused)."""
    path = tmp_path / "two.db"
    store = Store(f"sqlite:///{path}")
    create_all(store)
    refused: list[str] = []

    def read_then_write(session: Session) -> None:
        session.exec(select(ProcessedEvent)).all()  # the snapshot is taken here
        other = sqlite3.connect(path, timeout=0)
        try:
            other.execute("INSERT INTO processedevent (key, at) VALUES ('theirs', '2026-11-23 09:00:00')")
            other.commit()
        except sqlite3.OperationalError as exc:
            refused.append(str(exc))
        finally:
            other.close()
        add("mine")(session)

    try:
        store.run_sync(read_then_write)
        assert refused == ["database is locked"] and keys(store) == {"mine"}
    finally:
        store.close()


def test_a_seed_that_raced_another_process_runs_again_and_finds_its_row(store: Store) -> None:
    """Two `coach run` starting together on PostgreSQL: both saw the row missing, the other committed it
    first, so this insert hits the unique key; the second run finds the row and inserts nothing."""
    store.run_sync(add("seeded"))  # the other process's commit
    runs: list[int] = []

    def seed(session: Session) -> None:
        runs.append(1)
        if len(runs) == 1 or session.get(ProcessedEvent, "seeded") is None:  # the first run looked too early
            session.add(ProcessedEvent(key="seeded", at=AT))
            session.flush()

    store.run_sync_idempotent(seed)
    assert len(runs) == 2 and keys(store) == {"seeded"}


def test_a_seed_that_keeps_conflicting_raises(store: Store) -> None:
    store.run_sync(add("seeded"))

    def seed(session: Session) -> None:
        session.add(ProcessedEvent(key="seeded", at=AT))
        session.flush()

    with pytest.raises(IntegrityError):
        store.run_sync_idempotent(seed, attempts=2)
