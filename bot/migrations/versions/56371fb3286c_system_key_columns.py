"""usage_event.system and announcement.system become system_key (expand)

Every other table names a system `system_key`; these two said `system`. The API, CSV and export
fields stay `system`.

SQLite runs one process and `coach run` migrates it before serving, so nothing older reads it
afterwards: the columns are renamed in place.

PostgreSQL is upgraded while the processes of the version before keep serving (docs/operations.md,
"Upgrading"), and those read and write `system`. So this revision only adds: `system_key` beside
`system`, filled from it, with its own indexes, and a trigger that keeps the two equal whichever one a
process writes. The next release's revision drops `system`, its indexes and the trigger (the contract
step), once no process of the version before this one can be running; until then
`bot.migrations.migrate.LEGACY_COLUMNS` keeps autogenerate from dropping them early.

Revision ID: 56371fb3286c
Revises: b41f0e7d2c18
Create Date: 2026-12-04 23:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '56371fb3286c'
down_revision: str | None = 'b41f0e7d2c18'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('usage_event', 'announcement')
# (table, old index, new index, columns with {} for the system column)
INDEXES = (
    ('usage_event', 'ix_usage_event_system', 'ix_usage_event_system_key', ('{}',)),
    ('usage_event', 'ix_usage_person_system_at', 'ix_usage_person_system_key_at', ('person_id', '{}', 'at')),
    ('usage_event', 'ix_usage_system_at', 'ix_usage_system_key_at', ('{}', 'at')),
    ('announcement', 'ix_announcement_system', 'ix_announcement_system_key', ('{}',)),
)
SYNC = 'coach_system_key_sync'
# Old code writes only `system`, new code only `system_key`: copy whichever was written to the other.
# NOT NULL is checked after BEFORE triggers, so an insert naming one column satisfies both.
SYNC_FUNCTION = f"""
CREATE FUNCTION {SYNC}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.system_key IS NULL THEN
            NEW.system_key := NEW.system;
        ELSIF NEW.system IS NULL THEN
            NEW.system := NEW.system_key;
        END IF;
    ELSIF NEW.system_key IS DISTINCT FROM OLD.system_key THEN
        NEW.system := NEW.system_key;
    ELSIF NEW.system IS DISTINCT FROM OLD.system THEN
        NEW.system_key := NEW.system;
    END IF;
    RETURN NEW;
END
$$
"""


def _columns(columns: tuple[str, ...], name: str) -> list[str]:
    return [c.format(name) for c in columns]


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for table, old, _new, _columns_ in INDEXES:
            op.drop_index(old, table_name=table)
        for table in TABLES:
            op.execute(f'ALTER TABLE {table} RENAME COLUMN system TO system_key')
        for table, _old, new, columns in INDEXES:
            op.create_index(new, table, _columns(columns, 'system_key'))
        return
    # One transaction: ADD COLUMN locks each table until the commit, so no row written by an older
    # process slips in between the copy and the trigger.
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} ADD COLUMN system_key VARCHAR')
        op.execute(f'UPDATE {table} SET system_key = system')
    op.execute('ALTER TABLE usage_event ALTER COLUMN system_key SET NOT NULL')
    op.execute(SYNC_FUNCTION)
    for table in TABLES:
        op.execute(
            f'CREATE TRIGGER {table}_{SYNC} BEFORE INSERT OR UPDATE ON {table} '
            f'FOR EACH ROW EXECUTE FUNCTION {SYNC}()'
        )
    for table, _old, new, columns in INDEXES:
        op.create_index(new, table, _columns(columns, 'system_key'))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for table, _old, new, _columns_ in INDEXES:
            op.drop_index(new, table_name=table)
        for table in TABLES:
            op.execute(f'ALTER TABLE {table} RENAME COLUMN system_key TO system')
        for table, old, _new, columns in INDEXES:
            op.create_index(old, table, _columns(columns, 'system'))
        return
    # `system` was kept equal by the trigger, so dropping `system_key` loses nothing.
    for table, _old, new, _columns_ in INDEXES:
        op.drop_index(new, table_name=table)
    for table in TABLES:
        op.execute(f'DROP TRIGGER {table}_{SYNC} ON {table}')
        op.execute(f'ALTER TABLE {table} DROP COLUMN system_key')
    op.execute(f'DROP FUNCTION {SYNC}()')
