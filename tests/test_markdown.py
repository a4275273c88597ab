from __future__ import annotations

import pytest

from bot.markdown import Span, escape, parse, parse_inline, plain_text


def test_inline_constructs() -> None:
    spans = parse_inline("Hi **Ada**, see _this_ and `code` at [docs](https://example.com/a)")
    assert spans == (
        Span("text", "Hi "),
        Span("bold", "Ada"),
        Span("text", ", see "),
        Span("italic", "this"),
        Span("text", " and "),
        Span("code", "code"),
        Span("text", " at "),
        Span("link", "docs", "https://example.com/a"),
    )


@pytest.mark.parametrize(
    "hostile",
    [
        "[click](https://evil.example)",
        "**bold**",
        "_x_",
        "`x`",
        "<!channel>",
        "\\*",
        "a\\b",
        "[x](javascript:1)",
    ],
)
def test_escaped_text_stays_literal(hostile: str) -> None:
    spans = parse_inline(escape(hostile))
    assert spans == (Span("text", hostile),)


def test_unsafe_link_schemes_are_not_links() -> None:
    assert all(s.kind == "text" for s in parse_inline("[x](javascript:alert(1))"))


def test_lines_bullets_quotes_and_blanks() -> None:
    lines = parse("Title\n\n\n- one\n- two\n> quoted\n\n")
    assert [line.kind for line in lines] == ["para", "blank", "bullet", "bullet", "quote"]
    assert plain_text("**A**\n- b") == "A\n• b"


def test_snake_case_words_are_not_italic() -> None:
    assert parse_inline("use snake_case_names here") == (Span("text", "use snake_case_names here"),)


@pytest.mark.parametrize("value", ["compass-2026-11", "[--backup EMAIL|group:NAME]", "a`b", "C:\\temp"])
def test_escapes_hold_inside_code_spans(value: str) -> None:
    """An escaped value in `code` reads as written: no backslashes, and a backtick in it does not end it."""
    assert parse_inline(f"version `{escape(value)}` now") == (
        Span("text", "version "),
        Span("code", value),
        Span("text", " now"),
    )
