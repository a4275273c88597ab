"""A turn: one event being handled inside one unit of work, with what flows need at hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.attention import Attention, of
from bot.config import Settings
from bot.content import Content
from bot.events import Event
from bot.people.models import Identity, Person, role_allows

if TYPE_CHECKING:
    from bot.routing import Router


class UserError(Exception):
    """A known problem explained to the person in plain words (no reference id, no traceback)."""


@dataclass
class Turn:
    session: Session
    event: Event
    person: Person
    identity: Identity
    now: datetime
    settings: Settings
    router: Router
    loaded_content: Content | None = None  # None when content/ failed to load: `content` explains
    is_new_person: bool = False  # the coach never heard of them before this event (not even by email)

    @property
    def person_id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def content(self) -> Content:
        content = self.loaded_content
        if content is None:
            raise UserError("Content is not loaded; ask your admin to run `coach content check`.")
        return content

    @property
    def attention(self) -> Attention:
        """The attention policy for this turn's session, settings, holidays and moment."""
        return of(session=self.session, settings=self.settings, content=self.content, now=self.now)

    def require_role(self, role: str) -> None:
        if not role_allows(role, self.person.roles):
            who = "system owners and admins" if role == "owner" else f"{role}s"
            raise UserError(f"Only {who} can do that. Type `help` to see what you can do.")
