"""Outbound neutral messages, designed for three renderers: Block Kit, Adaptive Cards 1.5 and HTML.

Text blocks hold neutral markdown (see `bot.markdown`): **bold**, _italic_, `code`, [label](url),
`- ` bullets and `> ` quotes, with backslash escapes. Values that came from people (`Quote`,
`Fact.value`, option labels) are plain text: every renderer shows them verbatim and inert.
Escaping for a platform happens once, in that platform's renderer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.markdown import plain_text

ButtonStyle = Literal["primary", "danger"]
FieldKind = Literal["text", "multiline", "select", "number", "date"]
# The action of a button that opens a form (the engine answers it): value is "form_id|context".
OPEN_FORM = "form.open"


@dataclass(frozen=True)
class Header:
    text: str  # plain


@dataclass(frozen=True)
class Text:
    markdown: str


@dataclass(frozen=True)
class Quote:
    """Text a person wrote (an AI output, a report): shown verbatim, never formatted or linked."""

    text: str
    label: str | None = None


@dataclass(frozen=True)
class Fact:
    label: str
    value: str  # plain


@dataclass(frozen=True)
class Facts:
    items: tuple[Fact, ...]


@dataclass(frozen=True)
class Context:
    markdown: str  # small print under a message


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Button:
    action_id: str
    label: str
    value: str = ""
    style: ButtonStyle | None = None
    url: str | None = None  # a link button: opens the URL, sends no click


@dataclass(frozen=True)
class Actions:
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Image:
    """A picture made by the coach (a chart): PNG bytes, base64 in `png` so the outbox can keep it as
    JSON. Slack gets it as a file uploaded after the message, Teams inline in the card when it fits,
    the local chat inline; `alt` says what it shows for screen readers and where images are not shown."""

    png: str  # base64
    alt: str
    title: str = ""


Block = Header | Text | Quote | Facts | Context | Divider | Actions | Image


@dataclass(frozen=True)
class Message:
    """One chat message. `summary` is the plain fallback for notifications and screen readers."""

    summary: str
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = True
    options: tuple[Option, ...] = ()
    initial: str | None = None
    placeholder: str | None = None  # plain
    hint: str | None = (
        None  # markdown, one short line under the field (plain text where a platform has no more)
    )
    max_length: int | None = None


@dataclass(frozen=True)
class Form:
    """A form: a Slack modal, an Adaptive Card with inputs (or task module), an HTML form.

    `context` is opaque state carried to the submission (Slack private_metadata, ≤ 3,000 chars).
    `errors` maps a field name to a message shown beside that field after a failed submission.
    """

    form_id: str
    title: str
    fields: tuple[Field, ...]
    submit_label: str = "Submit"
    intro: str | None = None  # markdown above the fields
    context: str = ""
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """What the engine answers to an event, shown where the event happened.

    - `ephemeral`: only the actor sees it (Slack ephemeral; elsewhere a private reply).
    - `private`: only the actor may see it, whatever the platform: it names other people or is an
      owner's or admin's report. In a channel the engine makes it ephemeral where the place allows
      (`Place.private_replies`) and otherwise sends it to the actor's direct chat, leaving a note.
    - `in_thread`: reply in the thread of the event's message.
    - `replace_source`: update the message that carried the clicked button instead of posting.
    - `stale`: says that a click changed nothing because its choice was made already ("Already
      recorded: …"): only the clicker sees it (Slack ephemeral, even in a DM); where a platform shows
      nothing privately (Teams), the source message updated in the same turn says it instead.
    - `form`: open a form; `form_errors`: keep a submitted form open with these field errors;
      `close_form` closes the form that was submitted (the default after a submission).
    - `dialog`: show `message` to the actor in a dialog over the conversation (a Slack modal, the local
      chat's dialog) when the platform can open one now; otherwise it is an ordinary reply.
    """

    message: Message | None = None
    form: Form | None = None
    ephemeral: bool = False
    in_thread: bool = False
    replace_source: bool = False
    stale: bool = False
    form_errors: Mapping[str, str] | None = None
    private: bool = False
    dialog: bool = False


def private(replies: list[Reply]) -> list[Reply]:
    """The same replies, each message marked for the actor's eyes only."""
    return [dataclasses.replace(r, private=True) if r.message is not None else r for r in replies]


def text_message(markdown: str, *, summary: str | None = None) -> Message:
    return Message(summary=summary or _plain_summary(markdown), blocks=(Text(markdown),))


def _plain_summary(markdown: str) -> str:
    first = markdown.strip().splitlines()[0] if markdown.strip() else ""
    return plain_text(first)[:150]


# --- JSON round trip, for the outbox ------------------------------------------------------------

_BLOCK_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (Header, Text, Quote, Facts, Context, Divider, Actions, Image)
}


def dump_message(message: Message) -> dict[str, Any]:
    return {"summary": message.summary, "blocks": [_dump_block(b) for b in message.blocks]}


def load_message(data: Mapping[str, Any]) -> Message:
    return Message(summary=str(data["summary"]), blocks=tuple(_load_block(b) for b in data["blocks"]))


def _dump_block(block: Block) -> dict[str, Any]:
    return {"type": type(block).__name__, **dataclasses.asdict(block)}


def _load_block(data: Mapping[str, Any]) -> Block:
    kind = data["type"]
    cls = _BLOCK_TYPES[kind]
    fields = {k: v for k, v in data.items() if k != "type"}
    if cls is Facts:
        return Facts(items=tuple(Fact(**item) for item in fields["items"]))
    if cls is Actions:
        return Actions(buttons=tuple(Button(**b) for b in fields["buttons"]))
    block: Block = cls(**fields)
    return block


def dump_form(form: Form) -> dict[str, Any]:
    data = dataclasses.asdict(form)
    data["errors"] = dict(form.errors)
    return data


def load_form(data: Mapping[str, Any]) -> Form:
    fields = tuple(
        Field(**{**f, "options": tuple(Option(**o) for o in f.get("options", ()))}) for f in data["fields"]
    )
    return Form(**{**data, "fields": fields, "errors": dict(data.get("errors", {}))})
