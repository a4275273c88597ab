"""An installation per install (and per re-install), the bot tokens it and each rotation gave, and
states of installs in progress. Tokens are secrets: never logged, never exported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime


class WorkspaceInstallation(SQLModel, table=True):
    """One install of the app: the workspace (or, org-wide, the Enterprise Grid org), who installed it,
    the tokens Slack gave. The newest row of a workspace is its installation."""

    __tablename__ = "workspace_installation"
    __table_args__ = (
        Index("ix_workspace_installation_latest", "client_id", "enterprise_id", "team_id", "installed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=32)
    app_id: str = Field(max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    enterprise_name: str | None = Field(default=None, max_length=200)
    enterprise_url: str | None = Field(default=None, max_length=200)
    team_id: str | None = Field(default=None, max_length=32)
    team_name: str | None = Field(default=None, max_length=200)
    bot_token: str | None = Field(default=None, max_length=200)
    bot_id: str | None = Field(default=None, max_length=32)
    bot_user_id: str | None = Field(default=None, max_length=32)
    bot_scopes: str | None = Field(default=None, max_length=1000)
    bot_refresh_token: str | None = Field(default=None, max_length=200)
    bot_token_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    user_id: str = Field(max_length=32)
    user_token: str | None = Field(default=None, max_length=200)
    user_scopes: str | None = Field(default=None, max_length=1000)
    user_refresh_token: str | None = Field(default=None, max_length=200)
    user_token_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    incoming_webhook_url: str | None = Field(default=None, max_length=200)
    incoming_webhook_channel: str | None = Field(default=None, max_length=200)
    incoming_webhook_channel_id: str | None = Field(default=None, max_length=200)
    incoming_webhook_configuration_url: str | None = Field(default=None, max_length=200)
    is_enterprise_install: bool = False
    token_type: str | None = Field(default=None, max_length=32)
    installed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class WorkspaceBot(SQLModel, table=True):
    """A workspace's bot token, from an install or a rotation: the newest row with a token is the one."""

    __tablename__ = "workspace_bot"
    __table_args__ = (
        Index("ix_workspace_bot_latest", "client_id", "enterprise_id", "team_id", "installed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=32)
    app_id: str = Field(max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    enterprise_name: str | None = Field(default=None, max_length=200)
    team_id: str | None = Field(default=None, max_length=32)
    team_name: str | None = Field(default=None, max_length=200)
    bot_token: str | None = Field(default=None, max_length=200)
    bot_id: str | None = Field(default=None, max_length=32)
    bot_user_id: str | None = Field(default=None, max_length=32)
    bot_scopes: str | None = Field(default=None, max_length=1000)
    bot_refresh_token: str | None = Field(default=None, max_length=200)
    bot_token_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    is_enterprise_install: bool = False
    installed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class InstallState(SQLModel, table=True):
    """The state an install page handed out, good once until it expires (Slack's redirect brings it back)."""

    __tablename__ = "install_state"

    state: str = Field(primary_key=True, max_length=200)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
