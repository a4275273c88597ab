"""Neutral messages and forms -> Adaptive Card 1.5 attachments. Pure.

Text a person wrote is never markup: quotes become RichTextBlock TextRuns (always plain), other
plain values are backslash-escaped for the TextBlock markdown subset, and no `<at>` mention entity is
ever created, so user text cannot mention anyone. Every card stays under Teams' 28 KB activity limit;
`render_message_parts` carries a quote too long for one card on over several, so nothing is cut.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from adapters.rendered import RenderedOnce
from adapters.teams.translate import ACTION_KEY, CONTEXT_KEY, FORM_KEY, VALUE_KEY
from bot.markdown import Line, parse
from bot.messages import (
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

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_ACTIVITY_BYTES = 28 * 1024
# The card is wrapped in an activity (ids, addresses, summary): keep a margin for that envelope.
MAX_CARD_BYTES = MAX_ACTIVITY_BYTES - 4 * 1024
# An inline picture (a chart) leaves room for the text beside it; a bigger one is shown as its alt text.
MAX_IMAGE_BASE64 = 18 * 1024
TRUNCATED_NOTE = "(This message was shortened because it is too long for Teams.)"
QUOTE_PART_BYTES = 16 * 1024  # of a quote per card, leaving room for the rest of the card
# Only what starts formatting in Teams' TextBlock markdown; escaping more shows stray backslashes.
_MD_SPECIAL = set("\\*_[]`~")
_LINE_START = re.compile(r"^(\s*)([-+#>]|\d+\.)")

Card = dict[str, Any]


def escape_text(text: str) -> str:
    """Make plain text literal in the TextBlock markdown subset."""
    escaped = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)
    return "\n".join(_LINE_START.sub(r"\1\\\2", line) for line in escaped.split("\n"))


def attachment(card: Card) -> dict[str, Any]:
    return {"contentType": CARD_CONTENT_TYPE, "content": card}


def render_message(message: Message) -> Card:
    body: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    for block in message.blocks:
        if isinstance(block, Actions):
            actions.extend(_button(b) for b in block.buttons)
        else:
            body.extend(_block(block))
    return _fit(_card(body, actions, fallback_text=message.summary))


def render_message_parts(message: Message) -> list[Card]:
    """The message as cards to post in order: one, unless a quote is too long for one card (a whole
    flagged output), which then goes on over several, each part labelled "part 2 of 3". The cards are
    shared by every send of the same message object (help's listing, one per role set): read only."""
    return _parts(message)


def _render_message_parts(message: Message) -> list[Card]:
    groups: list[list[Block]] = [[]]
    for block in message.blocks:
        if not isinstance(block, Quote) or _json_bytes(block.text) <= QUOTE_PART_BYTES:
            groups[-1].append(block)
            continue
        parts = _chunks(block.text, QUOTE_PART_BYTES)
        for number, part in enumerate(parts, start=1):
            if number > 1:
                groups.append([])
            label = f"{block.label or 'Continued'} (part {number} of {len(parts)})"
            groups[-1].append(Quote(part, label=label))
    cards = [g for g in groups if g]
    if len(cards) == 1:
        return [render_message(message)]
    return [
        render_message(Message(summary=f"{message.summary} ({number} of {len(cards)})", blocks=tuple(group)))
        for number, group in enumerate(cards, start=1)
    ]


def _json_bytes(text: str) -> int:
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8")) - 2


def _chunks(text: str, max_bytes: int) -> list[str]:
    """`text` in consecutive pieces of at most `max_bytes` on the wire, broken at a line or a space
    near the end of a piece where there is one."""
    pieces: list[str] = []
    start, size = 0, 0
    for index, char in enumerate(text):
        cost = _json_bytes(char)
        if size + cost > max_bytes:
            piece = text[start:index]
            cut = max(piece.rfind("\n", max(len(piece) - 500, 0)), piece.rfind(" ", max(len(piece) - 200, 0)))
            end = start + cut + 1 if cut > 0 else index
            pieces.append(text[start:end])
            start, size = end, _json_bytes(text[end:index])
        size += cost
    pieces.append(text[start:])
    return pieces


def render_form(form: Form, *, values: Mapping[str, str] | None = None) -> Card:
    """A form as a card; `values` refill the inputs after a failed submission."""
    body: list[dict[str, Any]] = [_text_block(escape_text(form.title), size="Large", weight="Bolder")]
    if form.intro:
        body.extend(_markdown(form.intro))
    if form.errors:
        body.append(_text_block("Please fix the fields marked below.", color="Attention", weight="Bolder"))
    for field in form.fields:
        initial = (values or {}).get(field.name, field.initial)
        body.append(_input(field, initial))
        if field.hint:
            hint = "\n".join(_spans(line) for line in parse(field.hint) if line.kind != "blank")
            body.append(_text_block(hint, isSubtle=True, size="Small", spacing="None"))
        if field.name in form.errors:
            body.append(
                _text_block(
                    escape_text(form.errors[field.name]), color="Attention", size="Small", spacing="None"
                )
            )
    submit = {
        "type": "Action.Submit",
        "title": form.submit_label,
        "style": "positive",
        "data": {FORM_KEY: form.form_id, CONTEXT_KEY: form.context},
    }
    return _fit(_card(body, [submit], fallback_text=form.title))


def card_bytes(card: Card) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]], *, fallback_text: str) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.5",
        "fallbackText": fallback_text[:300],
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _fit(card: Card) -> Card:
    """Drop trailing body elements (then cut text) until the card fits, and say so visibly."""
    if card_bytes(card) <= MAX_CARD_BYTES:
        return card
    note = _text_block(escape_text(TRUNCATED_NOTE), color="Attention", isSubtle=True)
    body = list(card["body"])
    while len(body) > 1 and card_bytes({**card, "body": [*body, note]}) > MAX_CARD_BYTES:
        body.pop()
    fitted = {**card, "body": [*body, note]}
    overflow = card_bytes(fitted) - MAX_CARD_BYTES
    if overflow > 0 and body:
        first = dict(body[0])
        if first.get("type") == "TextBlock":
            first["text"] = _cut(first["text"], len(first["text"]) - overflow - 16)
        elif first.get("type") == "Container":
            first = _text_block(escape_text(TRUNCATED_NOTE))
        fitted["body"] = [first, note]
    return fitted


def _cut(text: str, keep: int) -> str:
    cut = text[: max(keep, 0)]
    while cut.endswith("\\"):  # never leave a dangling escape
        cut = cut[:-1]
    return cut + "…"


def _text_block(text: str, **props: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def _block(block: Block) -> list[dict[str, Any]]:
    if isinstance(block, Header):
        return [_text_block(escape_text(block.text), size="Large", weight="Bolder")]
    if isinstance(block, Text):
        return _markdown(block.markdown)
    if isinstance(block, Context):
        return [{**b, "isSubtle": True, "size": "Small"} for b in _markdown(block.markdown)]
    if isinstance(block, Quote):
        items: list[dict[str, Any]] = []
        if block.label:
            items.append(_text_block(escape_text(block.label), weight="Bolder", size="Small"))
        items.append({"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": block.text}]})
        return [{"type": "Container", "style": "emphasis", "items": items}]
    if isinstance(block, Facts):
        facts = [{"title": escape_text(f.label), "value": escape_text(f.value)} for f in block.items]
        return [{"type": "FactSet", "facts": facts}]
    if isinstance(block, Divider):
        return [{"type": "TextBlock", "text": " ", "separator": True}]
    if isinstance(block, Image):
        if len(block.png) > MAX_IMAGE_BASE64:
            return [_text_block(escape_text(f"[{block.alt}]"), isSubtle=True)]
        return [{"type": "Image", "url": f"data:image/png;base64,{block.png}", "altText": block.alt}]
    raise TypeError(f"unknown block {block!r}")


def _markdown(markdown: str) -> list[dict[str, Any]]:
    """Neutral markdown -> TextBlocks (paragraph groups) and emphasis containers (quotes)."""
    out: list[dict[str, Any]] = []
    group: list[str] = []

    def flush() -> None:
        if group:
            out.append(_text_block("\n".join(group)))
            group.clear()

    for line in parse(markdown):
        if line.kind == "blank":
            flush()
        elif line.kind == "quote":
            flush()
            out.append({"type": "Container", "style": "emphasis", "items": [_text_block(_spans(line))]})
        elif line.kind == "bullet":
            group.append("- " + _spans(line))
        else:
            if group and not group[-1].startswith("- "):
                group[-1] += "\n"  # keep paragraph lines apart: a single newline is folded by markdown
            group.append(_LINE_START.sub(r"\1\\\2", _spans(line)))
    flush()
    return out


def _spans(line: Line) -> str:
    parts: list[str] = []
    for span in line.spans:
        text = escape_text(span.text)
        if span.kind == "bold":
            parts.append(f"**{text}**")
        elif span.kind == "italic":
            parts.append(f"_{text}_")
        elif span.kind == "link" and span.url:
            url = span.url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
            parts.append(f"[{text}]({url})")
        else:  # text and code: Teams' TextBlock has no inline code, show it verbatim
            parts.append(text)
    return "".join(parts)


def _button(button: Button) -> dict[str, Any]:
    if button.url:
        return {"type": "Action.OpenUrl", "title": button.label, "url": button.url}
    action: dict[str, Any] = {
        "type": "Action.Submit",
        "title": button.label,
        "data": {ACTION_KEY: button.action_id, VALUE_KEY: button.value},
    }
    if button.style == "primary":
        action["style"] = "positive"
    elif button.style == "danger":
        action["style"] = "destructive"
    return action


def _input(field: Field, initial: str | None) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": field.name,
        "label": field.label,
        "isRequired": field.required,
        "errorMessage": f"{field.label}: please fill this in correctly.",
    }
    if field.kind in ("text", "multiline"):
        element = {"type": "Input.Text", **base, "isMultiline": field.kind == "multiline"}
        if field.max_length:
            element["maxLength"] = field.max_length
        if field.placeholder:
            element["placeholder"] = field.placeholder
        if initial:
            element["value"] = initial
        return element
    if field.kind == "select":
        element = {
            "type": "Input.ChoiceSet",
            **base,
            "style": "compact",
            "choices": [{"title": o.label, "value": o.value} for o in field.options],
        }
        if initial:
            element["value"] = initial
        if field.placeholder:
            element["placeholder"] = field.placeholder
        return element
    if field.kind == "number":
        element = {"type": "Input.Number", **base}
        number = _number(initial)
        if number is not None:
            element["value"] = number
        if field.placeholder:
            element["placeholder"] = field.placeholder
        return element
    if field.kind == "date":
        element = {"type": "Input.Date", **base}
        if initial:
            element["value"] = initial
        return element
    raise TypeError(f"unknown field kind {field.kind!r}")


def _number(raw: str | None) -> float | int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            return None


_parts = RenderedOnce(_render_message_parts)
