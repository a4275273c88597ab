"""Tables for people and identities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.types import JSONColumn, UTCDateTime


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, index=True, unique=True)
    display_name: str = ""
    timezone: str | None = None  # from the platform profile
    timezone_override: str | None = None  # set by the person; wins over the profile
    workday_start: int = 9  # local hour the working day starts, 0–23
    workday_end: int = 17  # local hour it ends, 1–24; before the start: the next day (a night shift)
    snoozed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    stopped: bool = False  # said stop: no programme messages until they say start
    is_admin: bool = False
    is_owner: bool = False
    active: bool = True  # false once the person has left
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))

    @property
    def first_name(self) -> str:
        name = self.display_name or (self.email or "").split("@")[0]
        return name.split()[0] if name.split() else "there"

    @property
    def effective_timezone(self) -> str | None:
        return self.timezone_override or self.timezone

    @property
    def shift_hours(self) -> int:
        """How long the working day is; a night shift 18–9 is 15 hours, 0–24 the whole day."""
        return (self.workday_end - self.workday_start) % 24 or 24

    @property
    def roles(self) -> frozenset[str]:
        roles = {"user"}
        if self.is_owner:
            roles.add("owner")
        if self.is_admin:
            roles.add("admin")
        return frozenset(roles)


def role_allows(role: str, roles: frozenset[str]) -> bool:
    """Whether someone with `roles` may do what needs `role`: user < owner < admin, so an admin may
    do what owners do without owning a system."""
    return role in roles or (role == "owner" and "admin" in roles)


class Identity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id", name="uq_identity_platform_user"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str
    workspace: str
    user_id: str
    address: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    reachable: bool = True
    last_seen_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
