"""Bolt reads a payload's shape (response_urls, user, team, actions[0]…) as it builds a request and again
as it matches listeners, and trusts it: a body shaped wrongly, signed or not, would be a 500. Its own
readers are run once here, before dispatch, so such a body is a 400 instead."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.kwargs_injection.async_utils import build_async_required_kwargs
from slack_bolt.request.async_request import AsyncBoltRequest

log = logging.getLogger(__name__)

# Payload members Bolt reads with `.get` (objects) or by index (lists of objects).
_OBJECTS = ("event", "view", "user", "team", "container", "message", "enterprise")
_LISTS = ("actions", "response_urls", "authorizations")


def readable_request(*, body: str, query: str, headers: Mapping[str, str]) -> AsyncBoltRequest | None:
    """The request Bolt dispatches, or None when Bolt could not read its payload."""
    try:
        request = AsyncBoltRequest(body=body, query=query, headers=headers)  # type: ignore[arg-type]
        build_async_required_kwargs(
            logger=log,
            required_arg_names=[],
            request=request,
            response=None,
            next_keys_required=False,
        )
        shaped_as_bolt_reads(request.body)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        return None
    return request


def shaped_as_bolt_reads(body: Any) -> None:
    """Raise TypeError unless each member Bolt reads without looking is of the type it assumes."""
    if not isinstance(body, dict):
        raise TypeError("the payload is not an object")
    for key in _OBJECTS:
        if key in body and not isinstance(body[key], dict):
            raise TypeError(f"{key} is not an object")
    if "channel" in body and not isinstance(body["channel"], dict | str):
        raise TypeError("channel is neither an object nor an id")
    for key in _LISTS:
        if key in body and not (isinstance(body[key], list) and all(isinstance(i, dict) for i in body[key])):
            raise TypeError(f"{key} is not a list of objects")
    # Text Bolt's listener matchers compare with patterns (a number there is a TypeError).
    kind = body.get("type")
    texts = [("event", body.get("event", {}).get("type"))] if "event" in body else []
    if "subtype" in body.get("event", {}):
        texts.append(("subtype", body["event"]["subtype"]))
    if "command" in body:
        texts.append(("command", body["command"]))
    if kind in ("shortcut", "message_action"):
        texts.append(("callback_id", body.get("callback_id")))
    if kind in ("view_submission", "view_closed"):
        texts.append(("callback_id", body.get("view", {}).get("callback_id")))
    if kind == "block_actions":
        if not body.get("actions"):
            raise TypeError("block_actions without actions")
        texts += [("action_id", action.get("action_id")) for action in body["actions"]]
        texts += [("block_id", action["block_id"]) for action in body["actions"] if "block_id" in action]
    for name, value in texts:
        if not isinstance(value, str):
            raise TypeError(f"{name} is not text")
