"""Tables for dashboard sign-in: the one-time links sent in chat, the sessions they open, the signing key.

Only hashes of the link and session tokens are kept: a copy of the database opens nobody's session.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime


class DashboardKey(SQLModel, table=True):
    """The key links are signed with, made once per database so that every process shares it."""

    __tablename__ = "dashboard_key"

    id: int | None = Field(default=None, primary_key=True)
    secret: str = Field(max_length=128)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class DashboardLink(SQLModel, table=True):
    """A sign-in link sent in chat: used once, within minutes."""

    __tablename__ = "dashboard_link"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    nonce_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class DashboardSession(SQLModel, table=True):
    """A signed-in browser: the cookie's token (hashed), its CSRF token and when it ends."""

    __tablename__ = "dashboard_session"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
