"""programme previews and answers per sending

A preview's clicks are kept in tables of their own, apart from enrolments. An answer names the
enrolment and the sending of the step it answers; a unique index makes a second answer to one sending
impossible (a double click). Answers stored before the engine checked them could hold infinities or
NaN, which the outcomes served as invalid JSON: those numbers are emptied.

Revision ID: 9889ac5455b9
Revises: d3f1a7c2e9b4
Create Date: 2026-12-04 16:59:35.562991
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


import bot.store.types

revision: str = '9889ac5455b9'
down_revision: str | None = 'd3f1a7c2e9b4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('programme_preview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('programme_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('started_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('programme_preview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_preview_person_id'), ['person_id'], unique=False)

    op.create_table('preview_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('preview_id', sa.Integer(), nullable=False),
    sa.Column('step_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('done_at', bot.store.types.UTCDateTime(), nullable=True),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('answered_at', bot.store.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['preview_id'], ['programme_preview.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('preview_id', 'step_key', name='uq_preview_step')
    )
    with op.batch_alter_table('preview_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preview_step_preview_id'), ['preview_id'], unique=False)

    with op.batch_alter_table('pulse_answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enrolment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sending', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('changed_at', bot.store.types.UTCDateTime(), nullable=True))
        batch_op.create_index('uq_pulse_answer_sending', ['enrolment_id', 'step_key', 'sending'], unique=True)
        batch_op.create_foreign_key('fk_pulse_answer_enrolment_id', 'enrolment', ['enrolment_id'], ['id'])

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "UPDATE pulse_answer SET number = NULL "
            "WHERE number IN ('Infinity'::float, '-Infinity'::float) OR number = 'NaN'::float"
        )
    else:  # SQLite stores NaN as NULL already; an infinity compares beyond every finite float
        op.execute("UPDATE pulse_answer SET number = NULL WHERE number > 1.7976931348623157e308 "
                   "OR number < -1.7976931348623157e308")


def downgrade() -> None:
    with op.batch_alter_table('pulse_answer', schema=None) as batch_op:
        batch_op.drop_constraint('fk_pulse_answer_enrolment_id', type_='foreignkey')
        batch_op.drop_index('uq_pulse_answer_sending')
        batch_op.drop_column('changed_at')
        batch_op.drop_column('sending')
        batch_op.drop_column('enrolment_id')

    with op.batch_alter_table('preview_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_preview_step_preview_id'))

    op.drop_table('preview_step')
    with op.batch_alter_table('programme_preview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_preview_person_id'))

    op.drop_table('programme_preview')
