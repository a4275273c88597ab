"""Turning what an author typed (chat form or API body) into a checked draft announcement.

One validation for both doors, with errors keyed by field, so the chat form shows each beside its
field and the API answers 400 naming the bad one. Authorization lives here too: admins may announce
anything; a system's change communicator (or a backup) may announce about that system, not critical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    StrictBool,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError
from sqlmodel import Session

from bot.announcements import audience as aud
from bot.announcements.compose import BodyError, check_text, context_for, render_body
from bot.announcements.delivery import system_info
from bot.announcements.models import Announcement
from bot.announcements.when import When, WhenError, parse_when
from bot.content import Content
from bot.inbound import Text, storable_text
from bot.ownership import service as ownership
from bot.people.models import Person

ROLE = "change_communicator"


class DraftErrors(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Request:
    title: str
    body: str
    audience_kind: str
    audience_param: str = ""
    system: str = ""
    model_version: str = ""
    when: str = "now"
    send_at: datetime | None = None  # the API's ISO moment, already parsed
    ack_required: bool = False
    critical: bool = False


# The API body ----------------------------------------------------------------------------------

# Which audience key holds a kind's parameter (`param` works for every kind).
PARAM_KEYS: dict[str, tuple[str, ...]] = {
    "programme": ("key", "programme"),
    "stage": ("stage",),
    "system_users": ("system",),
    "reporters": ("system",),
    "channel": ("channel", "id"),
    "people": ("people", "emails"),
}


class AudienceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Text
    param: Text | None = None
    key: Text | None = None
    programme: Text | None = None
    stage: Text | None = None
    system: Text | None = None
    channel: Text | None = None
    id: Text | None = None
    people: list[Text] | None = None
    emails: list[Text] | None = None

    @field_validator("people", "emails", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [part for part in value.split(",")] if isinstance(value, str) else value

    def param_text(self) -> str:
        found = self.param or ""
        for name in PARAM_KEYS.get(self.kind, ()):
            value = getattr(self, name)
            if value is not None:
                found = ", ".join(value) if isinstance(value, list) else value
        return found


class AnnouncementBody(BaseModel):
    """`POST /api/v1/announcements`: checked for shape here, for meaning by `check` like the chat form."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
        AfterValidator(storable_text),
    ]
    title: Text
    body: Text
    system: Text = ""
    model_version: Text = ""
    audience: AudienceBody
    send_at: AwareDatetime | None = None
    ack_required: StrictBool = False
    critical: StrictBool = False

    @field_validator("send_at")
    @classmethod
    def _in_utc(cls, moment: datetime | None) -> datetime | None:
        try:
            return moment.astimezone(UTC) if moment else None
        except OverflowError:  # 0001-01-01T00:00+14:00 has no UTC equivalent
            raise PydanticCustomError("datetime_range", "out of range") from None

    def request(self) -> Request:
        return Request(
            title=self.title,
            body=self.body,
            system=self.system,
            model_version=self.model_version,
            audience_kind=self.audience.kind,
            audience_param=self.audience.param_text(),
            send_at=self.send_at,
            ack_required=self.ack_required,
            critical=self.critical,
        )


def communicator_systems(*, session: Session, content: Content, person: Person, now: datetime) -> list[str]:
    return [
        key
        for key in content.systems
        if ownership.may_act(session=session, content=content, person=person, system=key, role=ROLE, now=now)
    ]


def may_announce(*, session: Session, content: Content, person: Person, now: datetime) -> bool:
    return person.is_admin or bool(
        communicator_systems(session=session, content=content, person=person, now=now)
    )


def check(
    *, session: Session, content: Content, request: Request, author: Person | None, now: datetime
) -> tuple[aud.Audience, When]:
    """Raise DraftErrors with every problem found; `author` None is the API (trusted by its token)."""
    errors = check_text(title=request.title, body=request.body)
    system = request.system.strip()
    if system and system not in content.systems:
        errors["system"] = f"No system {system!r}; known: {', '.join(sorted(content.systems))}."
    if author is not None and not author.is_admin:
        if not system:
            errors["system"] = "Choose the system you are the change communicator of."
        elif system in content.systems and not ownership.may_act(
            session=session, content=content, person=author, system=system, role=ROLE, now=now
        ):
            errors["system"] = "You are not this system's change communicator; ask an admin."
        if request.critical:
            errors["critical"] = "Only admins can send critical announcements."
    if request.model_version and not system:
        errors.setdefault("model_version", "A model version needs a system.")
    audience = aud.Audience("everyone")
    try:
        audience = aud.parse(kind=request.audience_kind, param=request.audience_param, content=content)
    except aud.AudienceError as exc:
        errors["audience"] = str(exc)
    when = When(send_at=request.send_at)
    if request.send_at is None:
        try:
            when = parse_when(request.when, now=now)
        except WhenError as exc:
            errors["when"] = str(exc)
    if "body" not in errors:
        probe = author or Person(display_name="Uma Okafor", email="uma@example.com", created_at=now)
        draft = Announcement(
            title=request.title,
            body=request.body,
            system_key=system or None,
            model_version=request.model_version or None,
            audience_kind=audience.kind,
            created_at=now,
        )
        try:
            render_body(
                request.body,
                context_for(probe, system_info(content=content, announcement=draft), request.title),
            )
        except BodyError as exc:
            errors["body"] = str(exc)
    if errors:
        raise DraftErrors(errors)
    return audience, when


def create(
    *,
    session: Session,
    content: Content,
    request: Request,
    author: Person | None,
    author_name: str,
    now: datetime,
    client_key: str | None = None,
) -> Announcement:
    """A checked draft (not yet confirmed); raises DraftErrors."""
    audience, when = check(session=session, content=content, request=request, author=author, now=now)
    aud.prepare(session=session, audience=audience, now=now)
    announcement = Announcement(
        client_key=client_key,
        title=request.title.strip(),
        body=request.body,
        system_key=request.system.strip() or None,
        model_version=request.model_version.strip() or None,
        audience_kind=audience.kind,
        audience_param=audience.param,
        send_at=when.send_at,
        local_when=when.local,
        ack_required=request.ack_required,
        critical=request.critical,
        author_id=author.id if author else None,
        author_name=author_name,
        created_at=now,
    )
    session.add(announcement)
    session.flush()
    return announcement
