"""Neutral markdown -> Slack mrkdwn, escaping text exactly once. Pure.

Slack wants only `&`, `<` and `>` escaped (in that order). Everything that came from a template's
text or from a person is escaped; the app's own tokens (`<url|label>`, `*bold*`) are built after
escaping, so `<!channel>`, `<@U123>` or a forged `<https://evil|bank>` typed by someone stays inert.
"""

from __future__ import annotations

from urllib.parse import quote

from bot.markdown import Line, Span, parse

ELLIPSIS = "…"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    return "\n".join(_line(line) for line in parse(markdown))


def _line(line: Line) -> str:
    body = "".join(_span(span) for span in line.spans)
    if line.kind == "bullet":
        return "• " + body
    if line.kind == "quote":
        return "> " + body
    return body  # para, or "" for a blank line


def _span(span: Span) -> str:
    text = escape(span.text)
    if span.kind == "bold":
        return f"*{text}*"
    if span.kind == "italic":
        return f"_{text}_"
    if span.kind == "code":
        return f"`{text}`"
    if span.kind == "link" and span.url:
        return f"<{_url(span.url)}|{text}>"
    return text


def _url(url: str) -> str:
    # `|` and `>` would end the link token early; `&` is escaped as everywhere else.
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._").replace("&", "&amp;")


def quoted_pieces(text: str, limit: int) -> list[str]:
    """A person's text as inert mrkdwn quote lines, packed into pieces of at most `limit` characters.

    Nothing is clipped: a line too long for one piece goes on over several quote lines, broken at a
    space where one is near, and never inside an `&amp;` entity.
    """
    lines: list[str] = []
    for raw in text.splitlines() or [""]:
        if not raw.strip():
            lines.append(">")
            continue
        room = limit - 2  # "> "
        chunk = ""
        for char in raw:
            piece = escape(char)
            if len(chunk) + len(piece) > room:
                space = chunk.rfind(" ", max(len(chunk) - 200, 0))
                head, chunk = (chunk[: space + 1], chunk[space + 1 :]) if space > 0 else (chunk, "")
                lines.append("> " + head)
            chunk += piece
        lines.append("> " + chunk)
    pieces: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if current and len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    pieces.append(current)
    return pieces


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in a visible ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS


def clip_mrkdwn(text: str, limit: int) -> str:
    """Like clip, but never leaves half an entity (`&am…`) or half a `<link|token>` behind."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    amp, semi = cut.rfind("&"), cut.rfind(";")
    if amp > semi:
        cut = cut[:amp]
    lt, gt = cut.rfind("<"), cut.rfind(">")
    if lt > gt:
        cut = cut[:lt]
    return cut + ELLIPSIS


def split_mrkdwn(text: str, limit: int) -> list[str]:
    """Split at line breaks into pieces of at most `limit` characters (long lines are clipped)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        line = clip_mrkdwn(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces
