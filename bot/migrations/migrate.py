"""Alembic migrations, run from code so the installed package needs no alembic.ini on disk, and where
the database's schema stands against this code (`schema_status`, `check_database`)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlmodel import SQLModel

import bot.migrations.tables  # noqa: F401  (registers every table on the metadata)
from bot.store.db import Store

MIGRATIONS = Path(__file__).parent  # Alembic's script location: env.py, script.py.mako, versions/
# The oldest schema this code runs on. A revision whose tables or columns the code reads raises it to
# that revision (tests/test_migrations.py insists on the head, so the choice is made on purpose); a
# database at a revision this code does not know was migrated by newer code, which is fine.
MINIMUM_REVISION = "7c4d2e9a1b63"  # usage_day (outcomes and the funnel read the per-day usage rollup)
# Columns a rename left behind on PostgreSQL for the processes of the version before, during a rolling
# upgrade (kept equal to their new names by a trigger), with their indexes: the contract step, a revision
# of the next release, drops them. Until then autogenerate must not see them as columns to drop.
LEGACY_COLUMNS = frozenset({("usage_event", "system"), ("announcement", "system")})
LEGACY_INDEXES = frozenset(
    {"ix_usage_event_system", "ix_usage_person_system_at", "ix_usage_system_at", "ix_announcement_system"}
)
CONNECT_TIMEOUT_SECONDS = 10
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps


class DatabaseUnreachable(Exception):
    """The database did not answer; the message is the cause, in one line."""


@dataclass(frozen=True)
class SchemaStatus:
    """Where the database's schema stands: the revisions recorded in it, judged against this code."""

    revisions: tuple[str, ...]
    behind: bool  # no schema yet, or one older than MINIMUM_REVISION: `coach db upgrade` is needed
    newer: tuple[str, ...] = ()  # revisions this code does not know: newer code migrated the database

    @property
    def migrated(self) -> bool:
        return not self.behind

    def explain(self) -> str:
        if not self.revisions:
            return "database not migrated (it has no schema yet)"
        at = ", ".join(self.revisions)
        return f"database not migrated (at {at}; this version needs {MINIMUM_REVISION} or later)"


def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic's filter: compare every column and index but the legacy ones."""
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in LEGACY_COLUMNS
    return not (type_ == "index" and name in LEGACY_INDEXES)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, *, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def autogenerate(url: str, *, message: str) -> None:
    """For developers: write a new revision from the difference between tables and the database."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


@functools.cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


@functools.cache
def _runs_on(revision: str) -> bool:
    """Whether a schema at this known revision has everything up to MINIMUM_REVISION."""
    return any(
        script.revision == MINIMUM_REVISION for script in scripts().iterate_revisions(revision, "base")
    )


def schema_status(connection: Connection) -> SchemaStatus:
    # Read directly: Alembic's MigrationContext logs two INFO lines each time, and /readyz asks often.
    heads: tuple[str, ...] = ()
    if inspect(connection).has_table(VERSION_TABLE):
        heads = tuple(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    known = {script.revision for script in scripts().walk_revisions()}
    behind = not heads or any(head in known and not _runs_on(head) for head in heads)
    return SchemaStatus(revisions=heads, behind=behind, newer=tuple(h for h in heads if h not in known))


def stamp_head(connection: Connection) -> None:
    """Record the newest revision on a schema built from the models (`create_all`), which is it."""
    MigrationContext.configure(connection).stamp(scripts(), "heads")


def create_all(store: Store) -> None:
    """Build the newest schema straight from the models (tests, benchmarks) and record it as such."""
    SQLModel.metadata.create_all(store.database)
    with store.database.begin() as connection:
        stamp_head(connection)


def check_database(url: str) -> SchemaStatus:
    """Connect once and read where the schema stands; `DatabaseUnreachable` when the database does not
    answer (within CONNECT_TIMEOUT_SECONDS on PostgreSQL)."""
    try:
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if url.startswith("postgresql") else {}
        engine = create_engine(url, connect_args=connect_args)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseUnreachable(_one_line(exc)) from exc
    try:
        with engine.connect() as connection:
            return schema_status(connection)
    except DBAPIError as exc:
        raise DatabaseUnreachable(_one_line(exc.orig if exc.orig is not None else exc)) from exc
    finally:
        engine.dispose()


def _one_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
