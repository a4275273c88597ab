"""A turn: one event being handled inside one unit of work, with what flows need at hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.config import Settings
from bot.content import Content
from bot.events import Event
from bot.messages import Message
from bot.outbox import service as outbox
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people import service as people
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
    services: Mapping[str, Any] = field(default_factory=dict)  # content, policy and the like
    is_new_person: bool = False  # the coach never heard of them before this event (not even by email)

    @property
    def person_id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def content(self) -> Content:
        content = self.services.get("content")
        if not isinstance(content, Content):
            raise UserError("Content is not loaded; ask your admin to run `coach content check`.")
        return content

    def require_role(self, role: str) -> None:
        if not role_allows(role, self.person.roles):
            who = "system owners and admins" if role == "owner" else f"{role}s"
            raise UserError(f"Only {who} can do that. Type `help` to see what you can do.")

    def notify(
        self,
        *,
        person: Person,
        message: Message,
        key: str,
        kind: str = "notice",
        priority: int = 50,
        not_before: datetime | None = None,
        after_sent: str | None = None,
    ) -> OutboxMessage:
        """Queue a proactive message to a person on their reachable platform; never drop it silently."""
        return notify(
            session=self.session,
            person=person,
            message=message,
            key=key,
            now=self.now,
            kind=kind,
            priority=priority,
            not_before=not_before,
            after_sent=after_sent,
        )


def notify(
    *,
    session: Session,
    person: Person,
    message: Message,
    key: str,
    now: datetime,
    kind: str = "notice",
    priority: int = 50,
    not_before: datetime | None = None,
    after_sent: str | None = None,
    critical: bool = False,
) -> OutboxMessage:
    assert person.id is not None
    identity = people.reachable_identity(session=session, person_id=person.id)
    if identity is None:
        row = outbox.enqueue(
            session=session,
            key=key,
            platform="none",
            address={},
            message=message,
            now=now,
            person_id=person.id,
            kind=kind,
            priority=priority,
            critical=critical,
        )
        if row.state == OutboxState.pending:
            row.state = OutboxState.unreachable
            row.last_error = "this person has no reachable identity on any platform yet"
        return row
    return outbox.enqueue(
        session=session,
        key=key,
        platform=identity.platform,
        address=identity.address,
        message=message,
        now=now,
        not_before=not_before,
        person_id=person.id,
        kind=kind,
        priority=priority,
        after_sent=after_sent,
        critical=critical,
    )
