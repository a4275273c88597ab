"""Shared fixtures: a fresh database per test (SQLite file, or a PostgreSQL schema), a fixed clock.

Set COACH_TEST_DATABASE_URL to a postgresql+psycopg:// URL to run the suite on PostgreSQL; each test
then gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from adapters.runtime import Runtime, build_runtime
from bot.config import Settings, load_settings
from bot.content import Content, load_content
from bot.migrations.migrate import create_all
from bot.ports import FixedClock
from bot.store.db import Store

PROJECT = Path(__file__).resolve().parents[1]
# The demo's example history (bot/demo/history.py) would add dozens of people to every test's database;
# the tests that are about it turn it on (and processes started by tests inherit this).
os.environ.setdefault("COACH_DEMO_HISTORY", "false")
SCHEMAS = PROJECT / "tests" / "schemas"  # official JSON schemas, vendored with their licences


def pytest_report_header() -> str:
    return f"database: {postgres_url() or 'SQLite'}"


def postgres_url() -> str | None:
    url = os.environ.get("COACH_TEST_DATABASE_URL", "").strip()
    return url or None


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database URL for one test: a new SQLite file, or a new PostgreSQL schema."""
    url = postgres_url()
    if url is None:
        yield f"sqlite:///{tmp_path / 'coach.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(database_url)
    create_all(store)
    yield store
    store.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # a Monday


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(
        COACH_DATABASE_URL=database_url,
        COACH_ADMINS="ada@example.com",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        _env_file=None,
    )


@pytest.fixture(scope="session")
def content() -> Content:
    """The shipped content, loaded once: flows only read it."""
    return load_content(PROJECT / "content")


@pytest.fixture
def runtime(settings: Settings, store: Store, clock: FixedClock, content: Content) -> Runtime:
    return build_runtime(settings, clock=clock, store=store, content=content)
