"""usage_day

The per-day usage rollup (bot/usage/days.py): usage_day, usage_day_mark and usage_rolled, filled from the
usage events already stored, so the first report after the upgrade reads whole days from it.

Revision ID: 7c4d2e9a1b63
Revises: 18bfcd153b62
Create Date: 2026-12-05 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlmodel import Session

revision: str = '7c4d2e9a1b63'
down_revision: str | None = '18bfcd153b62'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('usage_day',
    sa.Column('system_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('who', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('person_handle', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('system_key', 'day', 'who')
    )
    op.create_index('ix_usage_day_person_system_key_day', 'usage_day', ['person_id', 'system_key', 'day'], unique=False)
    op.create_table('usage_day_mark',
    sa.Column('system_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('system_key', 'day')
    )
    op.create_table('usage_rolled',
    sa.Column('system_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('until', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('system_key')
    )
    # The backfill: every finished day of every system with usage, as the running code rolls them up.
    from bot.usage import days

    session = Session(bind=op.get_bind())
    days.catch_up(session=session, systems=None, now=datetime.now(UTC))
    session.flush()


def downgrade() -> None:
    op.drop_table('usage_rolled')
    op.drop_table('usage_day_mark')
    op.drop_index('ix_usage_day_person_system_key_day', table_name='usage_day')
    op.drop_table('usage_day')
