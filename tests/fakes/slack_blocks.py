"""Block Kit limits as Slack documents them, checked by the fake Web API (tests/fakes/slack_api.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BLOCK_TYPES = {"section", "header", "context", "divider", "actions", "input", "rich_text", "image"}
ELEMENT_TYPES = {
    "button", "static_select", "plain_text_input", "number_input", "datepicker", "checkboxes",
    "radio_buttons", "overflow", "image", "mrkdwn", "plain_text", "users_select", "conversations_select",
}  # fmt: skip


class BlockError(Exception):
    def __init__(self, message: str, *, error: str = "invalid_blocks") -> None:
        super().__init__(message)
        self.error = error


def check_message_blocks(args: Mapping[str, Any]) -> None:
    text = args.get("text")
    blocks = args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        raise BlockError("no text", error="no_text")
    if text and len(str(text)) > 40_000:
        raise BlockError("text longer than 40,000 characters", error="msg_too_long")
    if blocks is not None:
        _blocks(blocks, limit=50)


def check_view(view: Mapping[str, Any], *, home: bool) -> dict[str, Any]:
    kind = view.get("type")
    if kind != ("home" if home else "modal"):
        raise BlockError(f"view type {kind!r}", error="invalid_arguments")
    if not home:
        _plain(view.get("title"), 24, "title")
        for name in ("submit", "close"):
            if name in view:
                _plain(view[name], 24, name)
        if not view.get("submit") and any(b.get("type") == "input" for b in view.get("blocks", [])):
            raise BlockError("a modal with inputs needs a submit button", error="invalid_arguments")
    if len(str(view.get("private_metadata", ""))) > 3000:
        raise BlockError("private_metadata longer than 3,000", error="invalid_arguments")
    if len(str(view.get("callback_id", ""))) > 255:
        raise BlockError("callback_id longer than 255", error="invalid_arguments")
    _blocks(view.get("blocks", []), limit=100)
    return dict(view)


def _blocks(blocks: Any, *, limit: int) -> None:
    if not isinstance(blocks, list):
        raise BlockError("blocks must be a list")
    if len(blocks) > limit:
        raise BlockError(f"{len(blocks)} blocks, more than {limit}")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            raise BlockError(f"blocks[{index}]: unknown type {kind!r}")
        block_id = block.get("block_id")
        if block_id is not None:
            if len(block_id) > 255 or block_id in block_ids:
                raise BlockError(f"blocks[{index}]: bad or repeated block_id")
            block_ids.add(block_id)
        _block(block, f"blocks[{index}]")


def _block(block: Mapping[str, Any], where: str) -> None:
    kind = block["type"]
    if kind == "section":
        if "text" not in block and "fields" not in block:
            raise BlockError(f"{where}: a section needs text or fields")
        if "text" in block:
            _text(block["text"], 3000, where)
        fields = block.get("fields", [])
        if len(fields) > 10:
            raise BlockError(f"{where}: more than 10 fields")
        for field in fields:
            _text(field, 2000, where)
    elif kind == "header":
        _plain(block.get("text"), 150, where)
    elif kind == "context":
        elements = block.get("elements", [])
        if not elements or len(elements) > 10:
            raise BlockError(f"{where}: context needs 1 to 10 elements")
        for element in elements:
            _text(element, 3000, where)
    elif kind == "actions":
        elements = block.get("elements", [])
        if not elements or len(elements) > 25:
            raise BlockError(f"{where}: actions needs 1 to 25 elements")
        seen: set[str] = set()
        for element in elements:
            action_id = element.get("action_id", "")
            if action_id in seen:
                raise BlockError(f"{where}: repeated action_id {action_id!r}")
            seen.add(action_id)
            _element(element, where)
    elif kind == "input":
        _plain(block.get("label"), 2000, where)
        _element(block.get("element") or {}, where)


def _element(element: Mapping[str, Any], where: str) -> None:
    kind = element.get("type")
    if kind not in ELEMENT_TYPES:
        raise BlockError(f"{where}: unknown element {kind!r}")
    if len(element.get("action_id", "")) > 255:
        raise BlockError(f"{where}: action_id longer than 255")
    if kind == "button":
        _plain(element.get("text"), 75, where)
        if len(element.get("value", "")) > 2000:
            raise BlockError(f"{where}: button value longer than 2,000")
    if kind == "static_select":
        options = element.get("options", [])
        if not options or len(options) > 100:
            raise BlockError(f"{where}: select needs 1 to 100 options")
        for option in options:
            _plain(option.get("text"), 75, where)
            if len(option.get("value", "")) > 150:
                raise BlockError(f"{where}: option value longer than 150")
    if kind == "plain_text_input":
        for name in ("max_length", "min_length"):
            if not 0 <= int(element.get(name, 0)) <= 3000:
                raise BlockError(f"{where}: {name} above 3,000")
    if "placeholder" in element:
        _plain(element["placeholder"], 150, where)


def _text(obj: Any, limit: int, where: str) -> None:
    if not isinstance(obj, Mapping) or obj.get("type") not in ("mrkdwn", "plain_text"):
        raise BlockError(f"{where}: not a text object")
    text = obj.get("text")
    if not isinstance(text, str) or not text or len(text) > limit:
        raise BlockError(f"{where}: text empty or longer than {limit}")


def _plain(obj: Any, limit: int, where: str) -> None:
    if not isinstance(obj, Mapping) or obj.get("type") != "plain_text":
        raise BlockError(f"{where}: needs a plain_text object")
    _text(obj, limit, where)
