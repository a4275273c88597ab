"""index usage_event (system, at)

The outcomes report counts a system's usage week by week: a range on `at` within one system.

Revision ID: 4ac48c1a35fc
Revises: c6490e9ccb29
Create Date: 2026-11-27 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '4ac48c1a35fc'
down_revision: str | None = 'c6490e9ccb29'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_usage_system_at', 'usage_event', ['system', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_usage_system_at', table_name='usage_event')
