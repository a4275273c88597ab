"""The button that stands in for a form when no trigger_id is at hand, and what it carries.

Slack opens a modal only with the trigger of a click, a command or a shortcut; a message in a DM has
none, so the form is offered as a button. When clicked, the engine rebuilds the form from its id and
context, which would lose what the person had already written (`flag <output>`, a forwarded message).
So the button's value also carries the text fields' prefilled values (within Slack's 2,000
characters), and they are put back into the modal. Pure.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from bot.messages import OPEN_FORM, Form

BUTTON_VALUE = 2000  # Slack's limit on a button's value
_WRITTEN = ("text", "multiline")  # fields holding what a person wrote (selects are rebuilt as they were)


def button_value(form: Form) -> tuple[str, bool]:
    """The value of the button that opens `form`, and whether everything prefilled fits in it."""
    plain = f"{form.form_id}|{form.context}"
    prefill = {f.name: f.initial for f in form.fields if f.kind in _WRITTEN and f.initial}
    if not prefill:
        return plain, True
    carried = json.dumps({"open": plain, "prefill": prefill}, separators=(",", ":"), ensure_ascii=False)
    return (carried, True) if len(carried) <= BUTTON_VALUE else (plain, False)


def opened(value: str) -> tuple[str, dict[str, str]]:
    """The engine's `form_id|context`, and the prefilled values, from such a button's value."""
    if not value.startswith("{"):
        return value, {}
    try:
        data: Any = json.loads(value)
    except ValueError:
        return value, {}
    if not isinstance(data, dict) or not isinstance(data.get("open"), str):
        return value, {}
    prefill = data.get("prefill")
    values = {str(k): str(v) for k, v in prefill.items()} if isinstance(prefill, dict) else {}
    return data["open"], values


def prefill_of(body: Mapping[str, Any]) -> dict[str, str]:
    """What a clicked form button carried (block_actions payload); empty for any other click."""
    actions = body.get("actions") or []
    if not actions or actions[0].get("action_id") != OPEN_FORM:
        return {}
    return opened(str(actions[0].get("value") or ""))[1]


def prefilled(form: Form, values: Mapping[str, str]) -> Form:
    """The rebuilt form with what the person had written put back into the fields still empty."""
    if not values:
        return form
    fields = tuple(
        dataclasses.replace(f, initial=values[f.name])
        if f.name in values and f.kind in _WRITTEN and not f.initial
        else f
        for f in form.fields
    )
    return dataclasses.replace(form, fields=fields)
