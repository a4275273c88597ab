"""workspace_installation, workspace_bot, install_state

Slack installations, their bot tokens and install states in tables the coach owns, written through its
store like everything else (slack_sdk's SQLAlchemy stores wrote from connections of their own, which met
SQLite's lock). The rows of slack_sdk's tables, where a deployment has them, are copied and those tables
dropped, so every workspace stays installed and no token is left where privacy rules do not reach.
A downgrade puts them back the same way.

Revision ID: 18bfcd153b62
Revises: 56371fb3286c
Create Date: 2026-12-04 23:10:42.667536
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = '18bfcd153b62'
down_revision: str | None = '56371fb3286c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SLACK_INSTALLATIONS, SLACK_BOTS, SLACK_STATES = 'slack_installations', 'slack_bots', 'slack_oauth_states'
BOT_COLUMNS = ('client_id', 'app_id', 'enterprise_id', 'enterprise_name', 'team_id', 'team_name', 'bot_token',
               'bot_id', 'bot_user_id', 'bot_scopes', 'bot_refresh_token', 'bot_token_expires_at',
               'is_enterprise_install', 'installed_at')  # fmt: skip
INSTALLATION_COLUMNS = (*BOT_COLUMNS, 'enterprise_url', 'user_id', 'user_token', 'user_scopes', 'user_refresh_token',
                        'user_token_expires_at', 'incoming_webhook_url', 'incoming_webhook_channel',
                        'incoming_webhook_channel_id', 'incoming_webhook_configuration_url', 'token_type')  # fmt: skip


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def _copy(source: str, target: str, columns: Sequence[str], source_columns: Sequence[str] | None = None) -> None:
    """Every row of `source` into `target` (ids are the target's own, so its sequence stays right)."""
    if not _exists(source):
        return
    into, read = ', '.join(columns), ', '.join(source_columns or columns)
    has_id = any(c['name'] == 'id' for c in sa.inspect(op.get_bind()).get_columns(source))
    order = ' ORDER BY id' if has_id else ''  # the order they were written in, which ties on installed_at keep
    op.execute(f'INSERT INTO {target} ({into}) SELECT {read} FROM {source}{order}')


def _slack_tables() -> None:
    """slack_sdk's tables as its SQLAlchemy stores create them (naive UTC times, as both store them)."""
    def strings(*names: str, length: int = 32) -> list[sa.Column[str]]:
        return [sa.Column(name, sa.String(length)) for name in names]

    bot = [
        *strings('enterprise_id'), *strings('enterprise_name', length=200), *strings('team_id'),
        *strings('team_name', length=200), *strings('bot_token', length=200), *strings('bot_id', 'bot_user_id'),
        *strings('bot_scopes', length=1000), *strings('bot_refresh_token', length=200),
        sa.Column('bot_token_expires_at', sa.DateTime()),
    ]  # fmt: skip
    op.create_table(SLACK_BOTS, sa.Column('id', sa.Integer(), primary_key=True),
                    sa.Column('client_id', sa.String(32), nullable=False),
                    sa.Column('app_id', sa.String(32), nullable=False), *bot,
                    sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
                    sa.Column('installed_at', sa.DateTime(), nullable=False))  # fmt: skip
    op.create_table(SLACK_INSTALLATIONS, sa.Column('id', sa.Integer(), primary_key=True),
                    sa.Column('client_id', sa.String(32), nullable=False),
                    sa.Column('app_id', sa.String(32), nullable=False), *bot,
                    *strings('enterprise_url', length=200), sa.Column('user_id', sa.String(32), nullable=False),
                    *strings('user_token', length=200), *strings('user_scopes', length=1000),
                    *strings('user_refresh_token', length=200), sa.Column('user_token_expires_at', sa.DateTime()),
                    *strings('incoming_webhook_url', 'incoming_webhook_channel', 'incoming_webhook_channel_id',
                             'incoming_webhook_configuration_url', length=200),
                    *strings('token_type'), sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
                    sa.Column('installed_at', sa.DateTime(), nullable=False))  # fmt: skip
    op.create_table(SLACK_STATES, sa.Column('id', sa.Integer(), primary_key=True),
                    sa.Column('state', sa.String(200), nullable=False),
                    sa.Column('expire_at', sa.DateTime(), nullable=False))  # fmt: skip


def upgrade() -> None:
    op.create_table('install_state',
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('expires_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('state')
    )
    with op.batch_alter_table('install_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_install_state_expires_at'), ['expires_at'], unique=False)

    op.create_table('workspace_bot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('app_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('enterprise_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('enterprise_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('team_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('bot_token', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('bot_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('bot_user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('bot_scopes', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('bot_refresh_token', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('bot_token_expires_at', bot.store.types.UTCDateTime(), nullable=True),
    sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
    sa.Column('installed_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workspace_bot', schema=None) as batch_op:
        batch_op.create_index('ix_workspace_bot_latest', ['client_id', 'enterprise_id', 'team_id', 'installed_at'], unique=False)

    op.create_table('workspace_installation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('app_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('enterprise_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('enterprise_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('enterprise_url', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('team_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('bot_token', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('bot_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('bot_user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('bot_scopes', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('bot_refresh_token', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('bot_token_expires_at', bot.store.types.UTCDateTime(), nullable=True),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('user_token', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('user_scopes', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('user_refresh_token', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('user_token_expires_at', bot.store.types.UTCDateTime(), nullable=True),
    sa.Column('incoming_webhook_url', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('incoming_webhook_channel', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('incoming_webhook_channel_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('incoming_webhook_configuration_url', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
    sa.Column('token_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('installed_at', bot.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workspace_installation', schema=None) as batch_op:
        batch_op.create_index('ix_workspace_installation_latest', ['client_id', 'enterprise_id', 'team_id', 'installed_at'], unique=False)
    _copy(SLACK_INSTALLATIONS, 'workspace_installation', INSTALLATION_COLUMNS)
    _copy(SLACK_BOTS, 'workspace_bot', BOT_COLUMNS)
    _copy(SLACK_STATES, 'install_state', ('state', 'expires_at'), ('state', 'expire_at'))
    for name in (SLACK_INSTALLATIONS, SLACK_BOTS, SLACK_STATES):
        if _exists(name):
            op.drop_table(name)



def downgrade() -> None:
    _slack_tables()
    _copy('workspace_installation', SLACK_INSTALLATIONS, INSTALLATION_COLUMNS)
    _copy('workspace_bot', SLACK_BOTS, BOT_COLUMNS)
    _copy('install_state', SLACK_STATES, ('state', 'expire_at'), ('state', 'expires_at'))
    with op.batch_alter_table('workspace_installation', schema=None) as batch_op:
        batch_op.drop_index('ix_workspace_installation_latest')

    op.drop_table('workspace_installation')
    with op.batch_alter_table('workspace_bot', schema=None) as batch_op:
        batch_op.drop_index('ix_workspace_bot_latest')

    op.drop_table('workspace_bot')
    with op.batch_alter_table('install_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_install_state_expires_at'))

    op.drop_table('install_state')
