"""flag_draft: outputs being flagged, kept whole on the server while the form is filled in

A form cannot carry a long output (a Slack modal input and its private_metadata hold 3,000
characters), so the flag form carries `draft:ID` and the output waits here.

Revision ID: d3f1a7c2e9b4
Revises: ecd855f19f33
Create Date: 2026-12-04 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = 'd3f1a7c2e9b4'
down_revision: str | None = 'ecd855f19f33'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('flag_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('output_text', sa.Text(), nullable=False),
    sa.Column('source_link', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('flag_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flag_draft_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_flag_draft_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('flag_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flag_draft_person_id'))
        batch_op.drop_index(batch_op.f('ix_flag_draft_created_at'))
    op.drop_table('flag_draft')
