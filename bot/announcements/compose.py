"""An announcement's body: a sandboxed template rendered per recipient, and the checks on a draft.

The body is markdown the author wrote, with placeholders such as `{{ person.first_name }}`. It is
rendered in a sandbox with StrictUndefined, so a typo is an error shown at preview, never a message
with a hole in it; every value inserted is markdown-escaped, so a person's name cannot become a link.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.markdown import escape
from bot.people.models import Person

MAX_TITLE = 150
MAX_BODY = 3000


def _finalize(value: object) -> object:
    return "" if value is None else escape(str(value))


_ENV = ImmutableSandboxedEnvironment(
    undefined=jinja2.StrictUndefined,
    finalize=_finalize,
    autoescape=False,
    keep_trailing_newline=False,
)


class BodyError(ValueError):
    """The body does not render: the message says where and why."""


@dataclass(frozen=True)
class SystemInfo:
    key: str
    name: str
    model_version: str


def context_for(person: Person, system: SystemInfo | None, title: str) -> dict[str, Any]:
    return {
        "person": {
            "first_name": person.first_name,
            "name": person.display_name or person.first_name,
            "email": person.email or "",
        },
        "system": {
            "key": system.key if system else "",
            "name": system.name if system else "",
            "model_version": system.model_version if system else "",
        },
        "announcement": {"title": title},
    }


# Placeholders and a few text filters only: no loops, arithmetic or calls, so no body can make a
# preview or a 10,000-person fan-out spin or balloon (the sandbox alone allows `{{ "x" * 10**9 }}`).
_ALLOWED_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Getattr, nodes.Const)
_ALLOWED_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d"})


def _check_nodes(tree: nodes.Template) -> None:
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Filter) and node.name in _ALLOWED_FILTERS:
            continue
        if not isinstance(node, _ALLOWED_NODES):
            raise BodyError(
                "Only placeholders such as {{ person.first_name }} (and the filters upper, lower, title, "
                "capitalize, trim, default) are allowed in a body."
            )


@functools.lru_cache(maxsize=64)
def _compiled(body: str) -> jinja2.Template:
    _check_nodes(_ENV.parse(body))
    return _ENV.from_string(body)  # a fan-out renders one body thousands of times: compile it once


def render_body(body: str, context: dict[str, Any]) -> str:
    """The body for one recipient; BodyError when it would not render."""
    try:
        return _compiled(body).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise BodyError(f"Line {exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise BodyError(f"Unknown placeholder: {exc.message}. Try {{{{ person.first_name }}}}.") from None
    except jinja2.TemplateError as exc:
        raise BodyError(f"The body does not render: {exc}") from None


def check_text(*, title: str, body: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Give the announcement a title."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the title under {MAX_TITLE} characters."
    if not body.strip():
        errors["body"] = "Write what changed."
    elif len(body) > MAX_BODY:
        errors["body"] = f"Keep the body under {MAX_BODY} characters."
    return errors
