"""weekly_rollup: each system's outcomes per past calendar week, kept when raw usage rows are erased

Revision ID: 5e2c9a7b1d40
Revises: 61d53767ba41
Create Date: 2026-12-04 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = '5e2c9a7b1d40'
down_revision: str | None = '61d53767ba41'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('weekly_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('week_start', bot.store.types.UTCDateTime(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('rolled_up_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('system_key', 'week_start', name='uq_weekly_rollup')
    )


def downgrade() -> None:
    op.drop_table('weekly_rollup')
