"""Neutral messages and forms -> Block Kit messages, modals and the App Home view. Pure.

Block Kit limits are enforced here, by splitting or clipping with a visible "…", so that the Web API
never refuses a message the coach built. The limits are Slack's published ones (PLATFORM_RULES.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from adapters.rendered import RenderedOnce
from adapters.slack.form_button import button_value
from adapters.slack.mrkdwn import clip, clip_mrkdwn, escape, quoted_pieces, split_mrkdwn, to_mrkdwn
from adapters.slack.translate import DUPLICATE_MARK, LINK_ACTION_PREFIX
from bot.markdown import escape as escape_markdown
from bot.markdown import plain_text
from bot.messages import (
    OPEN_FORM,
    Actions,
    Block,
    Button,
    Context,
    Divider,
    Facts,
    Field,
    Form,
    Header,
    Image,
    Message,
    Quote,
    Text,
)

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELDS_PER_SECTION = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
ELEMENTS_PER_ACTIONS = 25
CONTEXT_TEXT = 2000
VIEW_TITLE = 24
PRIVATE_METADATA = 3000
OPTIONS = 100
OPTION_TEXT = 75
OPTION_VALUE = 150
FALLBACK_TEXT = 3000
PLACEHOLDER = 150
LABEL = 2000
TOTAL_CHARS = 11000  # Slack refuses messages whose blocks hold much more (msg_blocks_too_long)
VIEW_CHARS = 250_000  # Slack documents 250 kB for a Home view; a modal is given the same
INPUT_TEXT = 3000  # the most a plain_text_input's max_length may say

JSONDict = dict[str, Any]


def render_message(message: Message) -> JSONDict:
    """chat.postMessage / chat.update arguments: fallback `text` and `blocks` (shared: read, never changed)."""
    return dict(_rendered(message))


def _render_message(message: Message) -> JSONDict:
    blocks = _fit(_blocks(message.blocks), limit=MESSAGE_BLOCKS)
    return {"text": clip(escape(message.summary), FALLBACK_TEXT) or " ", "blocks": blocks}


_rendered = RenderedOnce(_render_message)  # help's listing is one object per role set: rendered once


def render_home(messages: Iterable[Message]) -> JSONDict:
    """The App Home view: the given messages one under another, or a default welcome."""
    blocks: list[JSONDict] = []
    for message in messages:
        if blocks:
            blocks.append({"type": "divider"})
        blocks.extend(_blocks(message.blocks))
    if not blocks:
        blocks = _blocks(default_home().blocks)
    return {"type": "home", "blocks": _fit(blocks, limit=VIEW_BLOCKS)}


def default_home() -> Message:
    return Message(
        summary="Adoption Coach",
        blocks=(
            Header("Adoption Coach"),
            Text(
                "I help you get value from the AI tools your team is rolling out. Send me a message "
                "here, or type `/coach help` anywhere."
            ),
            Actions((Button("help.show", "Show me what you can do", style="primary"),)),
        ),
    )


def form_prompt(form: Form) -> Message:
    """A form offered as a button, for when no trigger is at hand to open a modal directly."""
    value, carried = button_value(form)
    intro = form.intro or f"**{escape_markdown(form.title)}**"
    if not carried:
        intro += "\n\n_What you wrote is too long to carry into the form: paste it there._"
    return Message(
        summary=form.title,
        blocks=(Text(intro), Actions((Button(OPEN_FORM, form.title, value=value, style="primary"),))),
    )


def render_dialog(message: Message) -> JSONDict:
    """A message shown in a modal with nothing to submit (`Reply.dialog`), e.g. a whole flagged output;
    a leading Header is its title (clipped to a title's 24 characters, so it stays as a header too
    when longer)."""
    blocks, title = message.blocks, message.summary
    if blocks and isinstance(blocks[0], Header):
        title = blocks[0].text
        if len(title) <= VIEW_TITLE:
            blocks = blocks[1:]
    return {
        "type": "modal",
        "title": _plain(title, VIEW_TITLE),
        "close": _plain("Close", VIEW_TITLE),
        "blocks": _fit(_blocks(blocks), limit=VIEW_BLOCKS, total=VIEW_CHARS),
    }


def render_form(form: Form) -> JSONDict:
    """A modal view for views.open / views.update; block ids are the field names."""
    blocks: list[JSONDict] = []
    if form.intro:
        blocks.extend(_section(form.intro))
    if form.errors:
        lines = "\n".join(f"• {escape(msg)}" for msg in form.errors.values())
        blocks.append(_mrkdwn_section(clip_mrkdwn(f"*Please check:*\n{lines}", SECTION_TEXT)))
    blocks.extend(_input(field) for field in form.fields)
    return {
        "type": "modal",
        "callback_id": clip(form.form_id, ACTION_ID),
        "private_metadata": clip(form.context, PRIVATE_METADATA),
        "title": _plain(form.title, VIEW_TITLE),
        "submit": _plain(form.submit_label, VIEW_TITLE),
        "close": _plain("Cancel", VIEW_TITLE),
        "blocks": _fit(blocks, limit=VIEW_BLOCKS),
    }


def render_errors(errors: Mapping[str, str]) -> JSONDict:
    """The view_submission ack that keeps the modal open with an error under each field."""
    return {
        "response_action": "errors",
        "errors": {clip(name, ACTION_ID): clip(msg, FIELD_TEXT) for name, msg in errors.items()},
    }


# --- blocks ---------------------------------------------------------------------------------------


def _blocks(blocks: Iterable[Block]) -> list[JSONDict]:
    out: list[JSONDict] = []
    for block in blocks:
        out.extend(_block(block))
    return out


def _block(block: Block) -> list[JSONDict]:
    if isinstance(block, Header):
        return [{"type": "header", "text": _plain(block.text, HEADER_TEXT)}]
    if isinstance(block, Text):
        return _section(block.markdown)
    if isinstance(block, Quote):
        pieces = quoted_pieces(block.text, SECTION_TEXT)
        if block.label:
            label = clip_mrkdwn(f"*{escape(block.label)}*", SECTION_TEXT)
            with_label = f"{label}\n{pieces[0]}"
            pieces = [with_label, *pieces[1:]] if len(with_label) <= SECTION_TEXT else [label, *pieces]
        return [_mrkdwn_section(piece) for piece in pieces]
    if isinstance(block, Facts):
        fields = [
            {"type": "mrkdwn", "text": clip_mrkdwn(f"*{escape(f.label)}*\n{escape(f.value)}", FIELD_TEXT)}
            for f in block.items
        ]
        return [
            {"type": "section", "fields": fields[i : i + FIELDS_PER_SECTION]}
            for i in range(0, len(fields), FIELDS_PER_SECTION)
        ]
    if isinstance(block, Context):
        text = clip_mrkdwn(to_mrkdwn(block.markdown), CONTEXT_TEXT)
        return [{"type": "context", "elements": [{"type": "mrkdwn", "text": text or " "}]}]
    if isinstance(block, Divider):
        return [{"type": "divider"}]
    if isinstance(block, Actions):
        return _actions(block.buttons)
    if isinstance(block, Image):
        return []  # Block Kit shows images only from a URL: the sender uploads it as a file instead
    raise TypeError(f"unknown block {block!r}")


def _section(markdown: str) -> list[JSONDict]:
    text = to_mrkdwn(markdown)
    return [_mrkdwn_section(piece) for piece in split_mrkdwn(text, SECTION_TEXT) if piece.strip()]


def _mrkdwn_section(text: str) -> JSONDict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _actions(buttons: tuple[Button, ...]) -> list[JSONDict]:
    elements: list[JSONDict] = []
    seen: dict[str, int] = {}
    for index, button in enumerate(buttons):
        base = f"{LINK_ACTION_PREFIX}{index}" if button.url else button.action_id
        seen[base] = seen.get(base, 0) + 1
        # Slack wants action ids unique within a block; translate strips the mark again.
        action_id = base if seen[base] == 1 else f"{base}{DUPLICATE_MARK}{seen[base]}"
        element: JSONDict = {
            "type": "button",
            "text": _plain(button.label, BUTTON_TEXT),
            "action_id": clip(action_id, ACTION_ID),
        }
        if button.url:
            element["url"] = button.url
        elif button.value:
            element["value"] = clip(button.value, BUTTON_VALUE)
        if button.style:
            element["style"] = button.style
        elements.append(element)
    return [
        {"type": "actions", "elements": elements[i : i + ELEMENTS_PER_ACTIONS]}
        for i in range(0, len(elements), ELEMENTS_PER_ACTIONS)
    ]


def _fit(blocks: list[JSONDict], *, limit: int, total: int = TOTAL_CHARS) -> list[JSONDict]:
    """At most `limit` blocks and about `total` characters; the rest replaced by a visible note."""
    kept: list[JSONDict] = []
    size_so_far = 0
    for index, block in enumerate(blocks):
        size = len(str(block))
        if (len(kept) >= limit - 1 and index < len(blocks) - 1) or size_so_far + size > total:
            left = len(blocks) - index
            note = f"… {left} more part{'s' if left != 1 else ''} not shown: this message was too long for Slack."
            kept.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
            return kept
        kept.append(block)
        size_so_far += size
    return kept


def _plain(text: str, limit: int) -> JSONDict:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


# --- form inputs ----------------------------------------------------------------------------------


def _input(field: Field) -> JSONDict:
    name = clip(field.name, ACTION_ID)
    element: JSONDict = {"action_id": name}
    if field.kind in ("text", "multiline"):
        element["type"] = "plain_text_input"
        element["multiline"] = field.kind == "multiline"
        if field.initial:
            element["initial_value"] = field.initial
        if field.max_length:
            element["max_length"] = min(field.max_length, INPUT_TEXT)
    elif field.kind == "select":
        options = [
            {"text": _plain(o.label, OPTION_TEXT), "value": clip(o.value, OPTION_VALUE)}
            for o in field.options[:OPTIONS]
        ]
        element["type"] = "static_select"
        element["options"] = options
        initial = next((o for o in options if o["value"] == field.initial), None)
        if initial is not None:
            element["initial_option"] = initial
    elif field.kind == "number":
        element["type"] = "number_input"
        element["is_decimal_allowed"] = False
        if field.initial:
            element["initial_value"] = field.initial
    elif field.kind == "date":
        element["type"] = "datepicker"
        if field.initial:
            element["initial_date"] = field.initial
    if field.placeholder:
        element["placeholder"] = _plain(field.placeholder, PLACEHOLDER)
    block: JSONDict = {
        "type": "input",
        "block_id": name,
        "label": _plain(field.label, LABEL),
        "optional": not field.required,
        "element": element,
    }
    if field.hint:
        block["hint"] = _plain(plain_text(field.hint), LABEL)  # a hint is plain_text only
    return block
