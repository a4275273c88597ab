"""transcript_line

The local chat's conversations, kept across restarts (bot/transcripts), newest 500 lines each.

Revision ID: 867a48a3c923
Revises: 4ac48c1a35fc
Create Date: 2026-12-04 16:58:57.966471
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = '867a48a3c923'
down_revision: str | None = '4ac48c1a35fc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('transcript_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('author_email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('thread_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('message', sa.JSON(), nullable=True),
    sa.Column('at', bot.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation', 'message_id', name='uq_transcript_conversation_message')
    )
    with op.batch_alter_table('transcript_line', schema=None) as batch_op:
        batch_op.create_index('ix_transcript_conversation_id', ['conversation', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('transcript_line', schema=None) as batch_op:
        batch_op.drop_index('ix_transcript_conversation_id')

    op.drop_table('transcript_line')
