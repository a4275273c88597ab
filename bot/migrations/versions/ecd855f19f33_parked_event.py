"""parked_event

Slack events acknowledged but not yet handled when a process stopped, handled by the next one (bot/inbox).

Revision ID: ecd855f19f33
Revises: 867a48a3c923
Create Date: 2026-12-04 17:02:52.638609
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = 'ecd855f19f33'
down_revision: str | None = '867a48a3c923'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('parked_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('event', sa.JSON(), nullable=False),
    sa.Column('reply', sa.JSON(), nullable=False),
    sa.Column('parked_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('parked_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parked_event_platform'), ['platform'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('parked_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parked_event_platform'))

    op.drop_table('parked_event')
