"""role confirmations

One row per confirmation card: a person asked whether their roles of a system are still right, their
answer, and a hand-over's successor and their answer (bot/ownership/confirmations.py).

Revision ID: 4f2dd0fcf063
Revises: 5e2c9a7b1d40
Create Date: 2026-12-04 20:46:39.485920
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


import bot.store.types

revision: str = '4f2dd0fcf063'
down_revision: str | None = '5e2c9a7b1d40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('role_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('asked_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('answered_at', bot.store.types.UTCDateTime(), nullable=True),
    sa.Column('successor_id', sa.Integer(), nullable=True),
    sa.Column('successor_answer', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('successor_answered_at', bot.store.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['successor_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('role_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_confirmation_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_confirmation_system_key'), ['system_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('role_confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_confirmation_system_key'))
        batch_op.drop_index(batch_op.f('ix_role_confirmation_person_id'))

    op.drop_table('role_confirmation')
