"""The Jinja2 environment for content/templates: sandboxed (immutable), strict, escaping every value.

Templates emit neutral markdown (`bot.markdown`). Every `{{ value }}` passes through `finalize`,
which escapes it unless it is `Trusted`, so text a person wrote can never become a link or bold.
Helpers for authors: `link(label, url)` makes a safe link; `url` is a filter for the `(...)` part;
`when` formats a datetime as "Monday 23 November at 14:00"; `number` shows 16.0 as "16" and 1500 as
"1,500"; `plural` counts a noun: `{{ n | plural("working hour") }}` is "1 working hour", "16 working
hours" or "no working hours" (`plural("person", "people")` for irregular ones).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

from bot.content.yamlfile import Problem
from bot.markdown import escape
from bot.wording import number, plural

TEMPLATE_SUFFIX = ".md.j2"
_SAFE_URL = re.compile(r"^(https?://|mailto:)\S+$", re.IGNORECASE)


class Trusted(str):
    """Markdown a flow built itself (never from a person's text): inserted into templates as is."""

    __slots__ = ()


def _finalize(value: object) -> object:
    if isinstance(value, Trusted):
        return value
    if value is None:
        return ""
    return escape(str(value))


def safe_url(value: object) -> Trusted:
    """A URL fit for `[label](...)`: http(s) or mailto only, with characters that would end it encoded."""
    text = quote(str(value).strip(), safe=":/?#@!$&'*+,;=%~-._[]")
    return Trusted(text if _SAFE_URL.match(text) else "")


def link(label: object, url: object) -> Trusted:
    """`[label](url)` with the label escaped; just the label when the URL is missing or unsafe."""
    target = safe_url(url) if url else Trusted("")
    text = escape(str(label))
    return Trusted(f"[{text}]({target})" if target else text)


def when(value: object) -> str:
    if isinstance(value, datetime):
        return f"{value:%A} {value.day} {value:%B} at {value:%H:%M}"
    if isinstance(value, date):
        return f"{value:%A} {value.day} {value:%B}"
    return str(value)


def make_environment(templates: Path) -> SandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,  # markdown, not HTML: escaping is `finalize`'s job
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.globals["link"] = link
    env.filters["url"] = safe_url
    env.filters["when"] = when
    env.filters["number"] = number
    env.filters["plural"] = plural
    return env


def template_names(templates: Path) -> list[str]:
    return sorted(
        path.relative_to(templates).as_posix()
        for path in templates.rglob(f"*{TEMPLATE_SUFFIX}")
        if path.is_file()
    )


def check_template(
    env: SandboxedEnvironment, *, name: str, context: dict[str, object], root: Path
) -> list[Problem]:
    """Compile and render one template with sample context; errors point at the template's line.

    Problems name files as `templates/NAME`, relative to the content folder (`root`'s parent).
    """
    file = f"templates/{name}"
    try:
        template = env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        return [Problem(_relative(exc.filename, root) or file, exc.lineno or 1, f"syntax: {exc.message}")]
    try:
        template.render(context)
    except jinja2.UndefinedError as exc:
        where, line = _template_frame(exc.__traceback__, fallback=file, root=root)
        return [Problem(where, line, f"undefined: {exc.message}")]
    except jinja2.TemplateNotFound as exc:
        where, line = _template_frame(exc.__traceback__, fallback=file, root=root)
        return [Problem(where, line, f"includes a template that does not exist: {exc.name}")]
    except jinja2.TemplateSyntaxError as exc:  # from an included template
        return [Problem(_relative(exc.filename, root) or file, exc.lineno or 1, f"syntax: {exc.message}")]
    except Exception as exc:
        where, line = _template_frame(exc.__traceback__, fallback=file, root=root)
        return [Problem(where, line, f"fails to render: {type(exc).__name__}: {exc}")]
    return []


def _template_frame(tb: TracebackType | None, *, fallback: str, root: Path) -> tuple[str, int]:
    # Jinja rewrites tracebacks so template frames carry the template's file name and line.
    found = (fallback, 1)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIX):
            found = (_relative(filename, root) or fallback, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _relative(filename: str | None, root: Path) -> str | None:
    if not filename:
        return None
    try:
        return "templates/" + Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
