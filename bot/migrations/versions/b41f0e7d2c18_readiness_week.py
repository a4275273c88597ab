"""readiness_week

Each system's readiness score per week, for its trend (bot/readiness).

Revision ID: b41f0e7d2c18
Revises: a7e3c1d05b62
Create Date: 2026-12-04 21:52:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = 'b41f0e7d2c18'
down_revision: str | None = 'a7e3c1d05b62'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('readiness_week',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('week_start', bot.store.types.UTCDateTime(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('failing', sa.JSON(), nullable=False),
    sa.Column('recorded_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('system_key', 'week_start', name='uq_readiness_week')
    )


def downgrade() -> None:
    op.drop_table('readiness_week')
