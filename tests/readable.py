"""What a person reads of a message or a form on each platform, and what reads wrong in it.

Each `seen_*` renders with the adapter's real renderer, then reads the result the way the platform
shows it: the local page's visible text (HTML parsed), the terminal's lines, Slack's mrkdwn and
plain_text objects (entities decoded, `code` spans taken out), Teams' TextBlocks (markdown escapes
resolved), FactSets, RichText runs, inputs and actions. `problems` names what a person would see that
they should not: a stray backslash, literal backticks or stars, code that is not shown as code.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from adapters.local import render as local
from adapters.local import text as terminal
from adapters.slack import render as slack
from adapters.teams import render as teams
from bot.markdown import parse
from bot.messages import Context, Form, Message, Text

PLATFORMS = ("local", "terminal", "slack", "teams")


@dataclass
class Seen:
    texts: list[str] = field(default_factory=list)  # what is read, formatting applied
    codes: list[str] = field(default_factory=list)  # what is shown as code

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)


def seen(platform: str, item: Message | Form) -> Seen:
    return {"local": _local, "terminal": _terminal, "slack": _slack, "teams": _teams}[platform](item)


def problems(platform: str, item: Message | Form) -> list[str]:
    """What reads wrong in `item` on `platform`, each with the text it was found in."""
    view = seen(platform, item)
    found = [f"{platform}: {why}: {text!r}" for text in view.texts for why in _wrong(text)]
    if platform != "teams":  # Teams' TextBlocks have no code spans: their text is shown plainly
        found += [
            f"{platform}: code not shown as code: {code!r}"
            for code in expected_codes(item, hints=platform != "slack")  # Slack hints are plain_text
            if code not in view.codes
        ]
    return found


def expected_codes(item: Message | Form, *, hints: bool = True) -> list[str]:
    markdowns: list[str] = []
    if isinstance(item, Message):
        markdowns = [b.markdown for b in item.blocks if isinstance(b, Text | Context)]
    else:
        markdowns = [item.intro or ""] + [f.hint or "" for f in item.fields if hints]
    return [s.text for md in markdowns for line in parse(md) for s in line.spans if s.kind == "code"]


def _wrong(text: str) -> Iterator[str]:
    if "\\" in text:
        yield "a backslash"
    if "`" in text:
        yield "a literal backtick"
    if "**" in text:
        yield "literal stars"


# --- local web ------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """The visible text of an HTML fragment: text nodes, placeholders and input values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.view = Seen()
        self._code: list[str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("placeholder", "value") if tag in ("input", "textarea") else ():
            if values.get(name):
                self.view.texts.append(str(values[name]))
        if tag == "code":
            self._code = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self._code is not None:
            self.view.codes.append("".join(self._code))
            self._code = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._code is not None:
            self._code.append(data)

    def close(self) -> None:
        super().close()
        self.view.texts.append("".join(self._text))


def _local(item: Message | Form) -> Seen:
    page = _Page()
    page.feed(local.render_message(item) if isinstance(item, Message) else local.render_form(item))
    page.close()
    return page.view


# --- terminal -------------------------------------------------------------------------------------

_CODE = re.compile(re.escape(terminal.ANSI.code[0]) + "(.*?)" + re.escape(terminal.ANSI.code[1]))
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _terminal(item: Message | Form) -> Seen:
    style = terminal.ANSI
    if isinstance(item, Message):
        lines, _choices = terminal.render_message(item, first_number=1, style=style)
    else:
        lines = terminal.form_header(item, style=style)
        for form_field in item.fields:
            before, prompt = terminal.field_prompt(form_field, current=form_field.initial, style=style)
            lines += [*before, prompt]
    joined = "\n".join(lines)
    return Seen(texts=[_ANSI.sub("", joined)], codes=_CODE.findall(joined))


# --- Slack ----------------------------------------------------------------------------------------

_MRKDWN_CODE = re.compile(r"`([^`\n]+)`")


def _slack(item: Message | Form) -> Seen:
    rendered = slack.render_message(item) if isinstance(item, Message) else slack.render_form(item)
    view = Seen()
    if isinstance(item, Message):
        view.texts.append(_entities(rendered["text"]))  # the notification
    for obj in _objects(rendered):
        if obj.get("type") == "mrkdwn":
            text = str(obj["text"])
            view.codes += [_entities(code) for code in _MRKDWN_CODE.findall(text)]
            view.texts.append(_entities(_MRKDWN_CODE.sub("", text)))
        elif obj.get("type") == "plain_text":
            view.texts.append(str(obj["text"]))
    return view


def _entities(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --- Teams ----------------------------------------------------------------------------------------

_TEAMS_MARKUP = re.compile(r"\\(.)|\*\*|(?<![\w\\])_|_(?!\w)", re.DOTALL)  # an escape, bold, italic


def _teams_text(markdown: str) -> str:
    """A TextBlock's markdown as read: escapes resolved, bold and italic markers gone."""
    return _TEAMS_MARKUP.sub(lambda m: m.group(1) or "", markdown)


def _teams(item: Message | Form) -> Seen:
    card = teams.render_message(item) if isinstance(item, Message) else teams.render_form(item)
    view = Seen(texts=[str(card.get("fallbackText", ""))])
    for obj in _objects(card):
        kind = obj.get("type")
        if kind == "TextBlock":
            view.texts.append(_teams_text(str(obj["text"])))
        elif kind == "TextRun":
            view.texts.append(str(obj["text"]))
        elif kind == "FactSet":
            for fact in obj["facts"]:
                view.texts += [_teams_text(str(fact[k])) for k in ("title", "value")]
        elif str(kind).startswith(("Input.", "Action.")):
            view.texts += [str(obj[k]) for k in ("label", "placeholder", "title") if obj.get(k)]
            view.texts += [str(choice["title"]) for choice in obj.get("choices", ())]
    return view


def _objects(tree: Any) -> Iterable[dict[str, Any]]:
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _objects(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _objects(value)


def visible(platform: str, item: Message | Form) -> str:
    """All that is read of `item` on `platform`, as one text (code included)."""
    view = seen(platform, item)
    return html.unescape("\n".join(view.texts + view.codes))
