"""departure reviews

A sign that someone may have left (removed from a Teams team, Teams sends failing), kept until an admin
decides: they left (their roles go to their backups) or they are still here (bot/ownership/leavers.py).

Revision ID: 9a9fea661aa3
Revises: 4f2dd0fcf063
Create Date: 2026-12-04 21:09:54.756625
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


import bot.store.types

revision: str = '9a9fea661aa3'
down_revision: str | None = '4f2dd0fcf063'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('departure_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('signal', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('opened_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', bot.store.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('departure_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departure_review_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_departure_review_state'), ['state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('departure_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departure_review_state'))
        batch_op.drop_index(batch_op.f('ix_departure_review_person_id'))

    op.drop_table('departure_review')
