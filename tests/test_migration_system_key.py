"""Revision 56371fb3286c renames usage_event.system and announcement.system to system_key: in place on
SQLite, and on PostgreSQL as the expand step of a rolling upgrade (both columns, kept equal by a
trigger, so processes of the version before keep reading and writing `system`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text

from bot.migrations.migrate import alembic_config, upgrade

BEFORE = "b41f0e7d2c18"
RENAME = "56371fb3286c"
AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def _old_rows(engine: Engine) -> None:
    """What the version before wrote."""
    with engine.begin() as conn:
        for n, system in enumerate(("assistant", "contract-review", "assistant"), start=1):
            conn.execute(
                text(
                    "INSERT INTO usage_event (external_id, person_handle, system, kind, at, received_at)"
                    " VALUES (:id, 'uma@example.com', :system, 'used', :at, :at)"
                ),
                {"id": f"e{n}", "system": system, "at": AT},
            )
        for n, system in enumerate(("assistant", None), start=1):
            conn.execute(
                text(
                    "INSERT INTO announcement (id, title, body, system, audience_kind, audience_param,"
                    " ack_required, critical, author_name, state, recipients, unreachable, fanned_out,"
                    " cursor, status_seq, status_snapshot, created_at)"
                    " VALUES (:id, 't', 'b', :system, 'everyone', '', false, false, '', 'draft', 0, 0, 0,"
                    " 0, 0, '', :at)"
                ),
                {"id": n, "system": system, "at": AT},
            )


def _systems(engine: Engine, column: str) -> tuple[list[object], list[object]]:
    with engine.connect() as conn:
        usage = conn.execute(text(f"SELECT {column} FROM usage_event ORDER BY external_id")).scalars().all()
        announced = conn.execute(text(f"SELECT {column} FROM announcement ORDER BY id")).scalars().all()
    return list(usage), list(announced)


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _indexes(engine: Engine, table: str) -> set[str]:
    return {str(i["name"]) for i in inspect(engine).get_indexes(table)}


EXPECTED = (["assistant", "contract-review", "assistant"], ["assistant", None])


def test_rows_keep_their_system_up_and_down(database_url: str, engine: Engine) -> None:
    upgrade(database_url, revision=BEFORE)
    _old_rows(engine)
    upgrade(database_url, revision=RENAME)
    assert _systems(engine, "system_key") == EXPECTED
    assert {"ix_usage_event_system_key", "ix_usage_person_system_key_at", "ix_usage_system_key_at"} <= _indexes(
        engine, "usage_event"
    )
    assert "ix_announcement_system_key" in _indexes(engine, "announcement")
    if engine.dialect.name == "sqlite":
        assert "system" not in _columns(engine, "usage_event") | _columns(engine, "announcement")
    command.downgrade(alembic_config(database_url), BEFORE)
    assert _systems(engine, "system") == EXPECTED
    assert "system_key" not in _columns(engine, "usage_event") | _columns(engine, "announcement")
    assert {"ix_usage_event_system", "ix_usage_person_system_at", "ix_usage_system_at"} <= _indexes(
        engine, "usage_event"
    )
    upgrade(database_url)
    assert _systems(engine, "system_key") == EXPECTED


def test_old_and_new_processes_share_the_expanded_schema_on_postgresql(database_url: str, engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one process, migrated before it serves: no version before runs beside it")
    upgrade(database_url, revision=BEFORE)
    _old_rows(engine)
    upgrade(database_url, revision=RENAME)
    with engine.begin() as conn:
        # the version before writes `system` only, this one `system_key` only
        conn.execute(
            text(
                "INSERT INTO usage_event (external_id, person_handle, system, kind, at, received_at)"
                " VALUES ('e4', 'uma@example.com', 'old', 'used', :at, :at)"
            ),
            {"at": AT},
        )
        conn.execute(
            text(
                "INSERT INTO usage_event (external_id, person_handle, system_key, kind, at, received_at)"
                " VALUES ('e5', 'uma@example.com', 'new', 'used', :at, :at)"
            ),
            {"at": AT},
        )
        conn.execute(text("UPDATE announcement SET system = 'changed-by-old' WHERE id = 1"))
        conn.execute(text("UPDATE announcement SET system_key = 'changed-by-new' WHERE id = 2"))
    both = EXPECTED[0] + ["old", "new"], ["changed-by-old", "changed-by-new"]
    assert _systems(engine, "system_key") == both
    assert _systems(engine, "system") == both
    command.downgrade(alembic_config(database_url), BEFORE)
    assert _systems(engine, "system") == both
