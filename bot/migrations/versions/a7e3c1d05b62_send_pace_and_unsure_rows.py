"""send_pace and outbox_message.unsure

The shared sending schedule per platform quota (every process paces by it, a refusal pauses them all),
and whether a row's last try may have been delivered (only then does a sender look back first).

Revision ID: a7e3c1d05b62
Revises: 9a9fea661aa3
Create Date: 2026-12-04 20:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = 'a7e3c1d05b62'
down_revision: str | None = '9a9fea661aa3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('send_pace',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('next_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.Column('rate', sa.Float(), nullable=False),
    sa.Column('refused_at', bot.store.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsure', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('unsure')
    op.drop_table('send_pace')
