"""The WebSocket protocol of the local web chat, as pure functions.

Browser → server (JSON objects):
  {"type": "say", "text": str, "thread_id": str?}
  {"type": "click", "message_id": str?, "action_id": str, "value": str}
  {"type": "submit", "form_id": str, "values": {name: str}}
  {"type": "cancel_form"}
Server → browser:
  {"type": "history", "entries": [entry…]}            the conversation so far (on every connect)
  {"type": "entry", …entry}                           a new message, or a replacement for `id`
  {"type": "form", "form_id", "html"} / {"type": "form_close"}   a form or (form_id "") a dialog to read
  {"type": "error", "text": str}                      a polite problem report in plain text; never a traceback
An entry is {"id", "thread_id", "html", "from_bot", "mine", "ephemeral", "replaced"}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.local import render
from adapters.local.hub import Entry
from bot.inbound import BadJson, loads
from bot.messages import Form, Message


class BadFrame(ValueError):
    """The browser sent something this protocol does not know; the text is safe to show."""


@dataclass(frozen=True)
class Say:
    text: str
    thread_id: str | None = None


@dataclass(frozen=True)
class Click:
    action_id: str
    value: str
    message_id: str | None = None


@dataclass(frozen=True)
class Submit:
    form_id: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class CancelForm:
    pass


Command = Say | Click | Submit | CancelForm


def parse(raw: str) -> Command:
    try:
        data = loads(raw)
    except BadJson:
        raise BadFrame("I couldn't read that message (it was not JSON).") from None
    if not isinstance(data, dict):
        raise BadFrame("I couldn't read that message.")
    kind = data.get("type")
    if kind == "say":
        return Say(text=_text(data, "text"), thread_id=_optional(data, "thread_id"))
    if kind == "click":
        return Click(
            action_id=_text(data, "action_id"),
            value=_text(data, "value", default=""),
            message_id=_optional(data, "message_id"),
        )
    if kind == "submit":
        values = data.get("values")
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            raise BadFrame("The form's values were not readable.")
        return Submit(form_id=_text(data, "form_id"), values=values)
    if kind == "cancel_form":
        return CancelForm()
    raise BadFrame("I don't know that kind of message.")


def _text(data: Mapping[str, Any], key: str, *, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise BadFrame(f"The message was missing its {key}.")
    return value


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadFrame(f"The message's {key} was not readable.")
    return value


def entry(item: Entry, *, viewer_email: str, in_channel: bool, replaced: bool = False) -> dict[str, Any]:
    body = render.render_message(item.message) if item.message else render.render_person_text(item.text or "")
    mine = item.author_email == viewer_email
    html = render.render_bubble(
        entry_id=item.id,
        author="You" if mine else item.author,
        body_html=body,
        from_bot=item.from_bot,
        mine=mine,
        ephemeral=item.ephemeral,
        can_thread=in_channel and item.thread_id is None and not item.ephemeral,
    )
    return {
        "type": "entry",
        "id": item.id,
        "thread_id": item.thread_id,
        "html": html,
        "from_bot": item.from_bot,
        "mine": mine,
        "ephemeral": item.ephemeral,
        "replaced": replaced,
    }


def history(items: list[Entry], *, viewer_email: str, in_channel: bool) -> dict[str, Any]:
    return {
        "type": "history",
        "entries": [entry(i, viewer_email=viewer_email, in_channel=in_channel) for i in items],
    }


def form(value: Form, *, values: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {"type": "form", "form_id": value.form_id, "html": render.render_form(value, values=values)}


def dialog(message: Message) -> dict[str, Any]:
    """A message to read in the form's place (the page shows both alike; Close cancels it)."""
    return {"type": "form", "form_id": "", "html": render.render_dialog(message)}


def form_close() -> dict[str, Any]:
    return {"type": "form_close"}


def error(text: str) -> dict[str, Any]:
    return {"type": "error", "text": text}
