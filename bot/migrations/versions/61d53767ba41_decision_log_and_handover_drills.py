"""decision log and handover drills

Drift reviews and decisions (bot/decisions), handover drills (bot/drills), and whether a system is
in use, suspended or retired (system_record.status, which existing rows start as: in_use).

Revision ID: 61d53767ba41
Revises: 36bb401e77a2
Create Date: 2026-12-04 20:11:02.695463
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


import bot.store.types

revision: str = '61d53767ba41'
down_revision: str | None = '36bb401e77a2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('drift_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('looked_at', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('shown', sa.JSON(), nullable=False),
    sa.Column('drill_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('drift_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drift_review_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_drift_review_system_key'), ['system_key'], unique=False)

    op.create_table('drill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('started_by', sa.Integer(), nullable=False),
    sa.Column('started_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.Column('ends_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.Column('ended_at', bot.store.types.UTCDateTime(), nullable=True),
    sa.Column('stopped_by', sa.Integer(), nullable=True),
    sa.Column('standins', sa.JSON(), nullable=False),
    sa.Column('primaries', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['started_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['stopped_by'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('drill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_system_key'), ['system_key'], unique=False)

    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('decider_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('flag_ids', sa.JSON(), nullable=False),
    sa.Column('model_version', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('drill_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decider_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['drift_review.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_system_key'), ['system_key'], unique=False)

    with op.batch_alter_table('system_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), server_default='in_use', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('system_record', schema=None) as batch_op:
        batch_op.drop_column('status')

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_system_key'))
        batch_op.drop_index(batch_op.f('ix_decision_review_id'))
        batch_op.drop_index(batch_op.f('ix_decision_created_at'))

    op.drop_table('decision')
    with op.batch_alter_table('drill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drill_system_key'))

    op.drop_table('drill')
    with op.batch_alter_table('drift_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drift_review_system_key'))
        batch_op.drop_index(batch_op.f('ix_drift_review_created_at'))

    op.drop_table('drift_review')
