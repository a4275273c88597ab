"""The neutral markdown subset that templates emit, parsed once for every renderer.

Supported: **bold**, _italic_, `code`, [label](https://url), lines starting `- ` (bullets) and `> `
(quotes), blank lines between paragraphs, and backslash escapes (`\\*` is a literal star), which hold
inside code spans too, so an escaped value reads the same in `code` as around it. No nesting.
Renderers walk `parse()`'s lines and spans: every span's text is what a person reads, escapes already
resolved, and each platform escapes it for itself in one place. Values interpolated into templates pass
through `escape()`, so text a person wrote can never become a link or formatting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SpanKind = Literal["text", "bold", "italic", "code", "link"]
LineKind = Literal["para", "bullet", "quote", "blank"]

_SPECIAL = set("\\`*_[]()>#-~|<")
_SAFE_URL = re.compile(r"^(https?://|mailto:)[^\s]+$", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    kind: SpanKind
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Line:
    kind: LineKind
    spans: tuple[Span, ...] = ()

    @property
    def plain(self) -> str:
        return "".join(s.text for s in self.spans)


def escape(text: str) -> str:
    """Make arbitrary text literal inside neutral markdown."""
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)


def parse(markdown: str) -> list[Line]:
    lines: list[Line] = []
    for raw in markdown.replace("\r\n", "\n").split("\n"):
        stripped = raw.strip()
        if not stripped:
            if lines and lines[-1].kind != "blank":
                lines.append(Line("blank"))
            continue
        if stripped.startswith(("- ", "* ")):
            lines.append(Line("bullet", parse_inline(stripped[2:])))
        elif stripped.startswith(">"):
            lines.append(Line("quote", parse_inline(stripped[1:].lstrip())))
        else:
            lines.append(Line("para", parse_inline(stripped)))
    while lines and lines[-1].kind == "blank":
        lines.pop()
    return lines


def plain_text(markdown: str) -> str:
    """The text without formatting, e.g. for notification summaries."""
    out = []
    for line in parse(markdown):
        prefix = "• " if line.kind == "bullet" else ""
        out.append(prefix + line.plain)
    return "\n".join(out)


_INTERESTING = re.compile(r"[\\*_`\[]")  # where a construct or an escape may start


def parse_inline(text: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            spans.append(Span("text", "".join(buffer)))
            buffer.clear()

    i = 0
    while i < len(text):
        found = _INTERESTING.search(text, i)
        if found is None:
            buffer.append(text[i:])
            break
        start = found.start()
        if start > i:
            buffer.append(text[i:start])  # plain run: no character in it can start anything
        i = start
        if text[i] == "\\" and i + 1 < len(text):
            buffer.append(text[i + 1])
            i += 2
            continue
        match = _match_construct(text, i)
        if match is None:
            buffer.append(text[i])
            i += 1
            continue
        span, i = match
        flush()
        spans.append(span)
    flush()
    return tuple(spans)


def _match_construct(text: str, i: int) -> tuple[Span, int] | None:
    if text.startswith("**", i):
        end = _find_unescaped(text, "**", i + 2)
        if end > i + 2:
            return Span("bold", _unescape(text[i + 2 : end])), end + 2
    elif text[i] == "_" and (i == 0 or not text[i - 1].isalnum()):
        end = _find_unescaped(text, "_", i + 1)
        if end > i + 1 and (end + 1 == len(text) or not text[end + 1].isalnum()):
            return Span("italic", _unescape(text[i + 1 : end])), end + 1
    elif text[i] == "`":
        end = _find_unescaped(text, "`", i + 1)
        if end > i + 1:
            return Span("code", _unescape(text[i + 1 : end])), end + 1
    elif text[i] == "[":
        close = _find_unescaped(text, "](", i + 1)
        if close > i + 1:
            end = text.find(")", close + 2)
            url = text[close + 2 : end] if end > 0 else ""
            if _SAFE_URL.match(url):
                return Span("link", _unescape(text[i + 1 : close]), url), end + 1
    return None


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)
