"""`coach run` meets its database: unreachable, not migrated, older or newer than the code.

Each failure is one line on stderr and a non-zero exit, never a traceback; a schema newer than the code
(a rolling upgrade, the new code already migrated) is fine; SQLite is migrated at start. Run as real
processes, the way an operator meets them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from bot.migrations.migrate import MINIMUM_REVISION, upgrade
from tests.conftest import PROJECT, postgres_url
from tests.process.coach import CoachProcess, free_port

OLDER = "bb5d8f548ed7"  # the initial schema, before MINIMUM_REVISION
NEWER = "ffffffffffff"  # a revision this code has never seen: what newer code leaves behind
ON_POSTGRES = pytest.mark.skipif(postgres_url() is None, reason="PostgreSQL is not migrated at start")
ON_SQLITE = pytest.mark.skipif(postgres_url() is not None, reason="SQLite is migrated at start")


def coach(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COACH_DATABASE_URL": database_url,
        "COACH_CONTENT_DIR": str(PROJECT / "content"),
        "COACH_PORT": str(free_port()),
        "COACH_HOST": "127.0.0.1",
    }
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def set_revision(database_url: str, revision: str | None) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM alembic_version"))
            if revision is not None:
                conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:r)"), {"r": revision})
    finally:
        engine.dispose()


def test_an_unreachable_database_is_one_line_naming_the_masked_url_and_the_cause(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql+psycopg://coach:hunter2@127.0.0.1:{port}/coach?sslpassword=hunter3"
    result = coach("run", database_url=url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    masked = f"postgresql+psycopg://coach:********@127.0.0.1:{port}/coach?sslpassword=********"
    assert line.startswith(f"coach: cannot reach the database at {masked}: ")
    assert "Connection refused" in line
    assert "hunter" not in result.stderr


def test_an_sqlite_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/no/such/folder/coach.db"
    result = coach("run", database_url=url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"coach: cannot reach the database at {url}: unable to open database file"
    ]


def test_db_upgrade_on_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://coach:hunter2@127.0.0.1:{free_port()}/coach"
    result = coach("db", "upgrade", database_url=url, cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("coach: cannot reach the database at postgresql+psycopg://coach:********@")


@ON_POSTGRES
def test_an_empty_postgresql_database_says_to_run_db_upgrade(database_url: str, tmp_path: Path) -> None:
    result = coach("run", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "coach: database not migrated (it has no schema yet): run `coach db upgrade`"
    ]


@ON_POSTGRES
def test_a_postgresql_schema_older_than_this_code_says_to_run_db_upgrade(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url, revision=OLDER)
    result = coach("run", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"coach: database not migrated (at {OLDER}; this version needs {MINIMUM_REVISION} or later): "
        "run `coach db upgrade`"
    ]
    assert coach("db", "upgrade", database_url=database_url, cwd=tmp_path).returncode == 0


async def serves_ready(database_url: str, workdir: Path) -> dict[str, str]:
    process = CoachProcess({"COACH_DATABASE_URL": database_url}, workdir)
    process.start()
    try:
        await process.ready()
        async with aiohttp.ClientSession() as http, http.get(f"{process.url}/readyz") as response:
            assert response.status == 200, process.log()
            body: dict[str, str] = await response.json()
            return body
    finally:
        assert process.stop() == 0, process.log()


async def test_a_schema_newer_than_this_code_is_a_rolling_upgrade_and_serves(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    set_revision(database_url, NEWER)
    assert await serves_ready(database_url, tmp_path) == {"database": "ok"}
    result = coach("db", "upgrade", database_url=database_url, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert NEWER in result.stdout


@ON_SQLITE
async def test_an_older_sqlite_database_is_migrated_at_start(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url, revision=OLDER)
    assert await serves_ready(database_url, tmp_path) == {"database": "ok"}
