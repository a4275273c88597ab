"""index usage_event.person_handle

Linking a person met later to the usage events sent for them before looks events up by handle.

Revision ID: c6490e9ccb29
Revises: bb5d8f548ed7
Create Date: 2026-11-27 16:48:34.941184
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = 'c6490e9ccb29'
down_revision: str | None = 'bb5d8f548ed7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f('ix_usage_event_person_handle'), 'usage_event', ['person_handle'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_usage_event_person_handle'), table_name='usage_event')
