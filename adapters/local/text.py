"""Neutral messages and forms as plain terminal text: pure functions, no I/O.

Buttons become numbered choices the person picks by typing the number. Control characters are
removed from everything shown, so text a person wrote cannot move the cursor or recolour the terminal.
Code spans and bold show as such on a terminal that has styles (`ANSI`) and as their bare text
elsewhere: never with the markdown's backticks or stars.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.markdown import Span, escape, parse
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

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
INDENT = "  "


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


@dataclass(frozen=True)
class Style:
    """What goes around code and bold spans."""

    code: tuple[str, str] = ("", "")
    bold: tuple[str, str] = ("", "")


PLAIN = Style()
ANSI = Style(code=("\x1b[36m", "\x1b[39m"), bold=("\x1b[1m", "\x1b[22m"))  # cyan; bold


@dataclass(frozen=True)
class Choice:
    number: int
    button: Button


def render_message(
    message: Message, *, first_number: int, style: Style = PLAIN
) -> tuple[list[str], list[Choice]]:
    """The message's lines and the numbered choices for its clickable buttons."""
    lines: list[str] = []
    choices: list[Choice] = []
    blocks = message.blocks or (Text(escape(message.summary)),)
    for block in blocks:
        lines.extend(_block(block, choices=choices, first_number=first_number, style=style))
    return lines, choices


def _block(block: Block, *, choices: list[Choice], first_number: int, style: Style) -> list[str]:
    if isinstance(block, Header):
        title = clean(block.text)
        return [title, "─" * min(len(title), 60)]
    if isinstance(block, Text):
        return markdown_lines(block.markdown, style=style)
    if isinstance(block, Quote):
        label = [clean(block.label) + ":"] if block.label else []
        return label + [f"{INDENT}│ {clean(line)}" for line in block.text.splitlines() or [""]]
    if isinstance(block, Facts):
        return [f"{INDENT}{clean(f.label)}: {clean(f.value)}" for f in block.items]
    if isinstance(block, Context):
        return [f"{INDENT}{line}" for line in markdown_lines(block.markdown, style=style)]
    if isinstance(block, Divider):
        return ["─" * 20]
    if isinstance(block, Image):
        return [f"{INDENT}[picture: {clean(block.alt)}]"]
    if isinstance(block, Actions):
        out = []
        for button in block.buttons:
            if button.url is not None:
                out.append(f"{INDENT}↗ {clean(button.label)}: {clean(button.url)}")
                continue
            choice = Choice(first_number + len(choices), button)
            choices.append(choice)
            out.append(f"{INDENT}[{choice.number}] {clean(button.label)}")
        return out
    raise TypeError(f"unknown block {block!r}")


def markdown_lines(markdown: str, *, style: Style = PLAIN) -> list[str]:
    out: list[str] = []
    for line in parse(markdown):
        text = "".join(_span(s, style) for s in line.spans)
        if line.kind == "bullet":
            out.append(f"{INDENT}• {text}")
        elif line.kind == "quote":
            out.append(f"{INDENT}│ {text}")
        elif line.kind == "blank":
            out.append("")
        else:
            out.append(text)
    return out


def _span(span: Span, style: Style) -> str:
    text = clean(span.text)
    if span.kind == "code" and text:
        return style.code[0] + text + style.code[1]
    if span.kind == "bold" and text:
        return style.bold[0] + text + style.bold[1]
    if span.kind == "link" and span.url:
        return f"{text} ({clean(span.url)})"
    return text


def form_header(form: Form, *, style: Style = PLAIN) -> list[str]:
    lines = [f"📝 {clean(form.title)}"]
    if form.intro:
        lines.extend(markdown_lines(form.intro, style=style))
    lines.append("(Press Enter to keep the value in [brackets]; type /cancel to give up.)")
    return lines


def field_prompt(field: Field, *, current: str | None, style: Style = PLAIN) -> tuple[list[str], str]:
    """Lines to show before asking for a field, and the prompt itself."""
    before: list[str] = []
    if field.hint:
        before.extend(f"{INDENT}{line}" for line in markdown_lines(field.hint, style=style) if line)
    for number, option in enumerate(field.options, start=1):
        before.append(f"{INDENT}[{number}] {clean(option.label)}")
    optional = " (optional)" if not field.required else ""
    shown = current
    if field.kind == "select" and current:
        shown = next((o.label for o in field.options if o.value == current), current)
    default = f" [{clean(shown)}]" if shown else ""
    kind = {"number": " (a number)", "date": " (YYYY-MM-DD)", "multiline": " (one line)"}.get(field.kind, "")
    return before, f"{clean(field.label)}{kind}{optional}{default}: "


def field_answer(field: Field, raw: str, *, current: str | None) -> tuple[str | None, str | None]:
    """(value, None) for an acceptable answer, or (None, problem) to ask again.

    Only presence and the choice of an option are checked here; the flow validates the rest and
    its errors come back beside the field, as on every platform.
    """
    answer = raw.strip()
    if not answer:
        if current:
            return current, None
        if field.required:
            return None, "This one is required."
        return "", None
    if field.kind == "select":
        if answer.isdigit() and 1 <= int(answer) <= len(field.options):
            return field.options[int(answer) - 1].value, None
        for option in field.options:
            if answer.lower() in (option.value.lower(), option.label.lower()):
                return option.value, None
        return None, "Pick one of the numbers above."
    if field.max_length is not None and len(answer) > field.max_length:
        return None, f"Please keep it under {field.max_length} characters."
    return answer, None
