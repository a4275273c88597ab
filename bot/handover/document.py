"""A document as plain structure (sections of paragraphs, bullet lists and tables), so the handover pack
and the evidence report are written once and rendered to Markdown and to a printable HTML page."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "None recorded."


Block = str | list[str] | Table  # a paragraph, a bullet list, a table; all text is plain (escaped here)


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]


_MARKUP = re.compile(r"([\\`*_\[\]<>|])")


def escape(text: str) -> str:
    """Person text shows as typed in a Markdown file: the characters that would format it are escaped
    (fewer than the chat's escape, so dates and parentheses stay readable in the file itself)."""
    return _MARKUP.sub(r"\\\1", text)


def to_markdown(doc: Document) -> str:
    out = [f"# {escape(doc.title)}", "", escape(doc.subtitle), ""]
    for section in doc.sections:
        out += [f"## {escape(section.title)}", ""]
        for block in section.blocks:
            if isinstance(block, str):
                out += [escape(block), ""]
            elif isinstance(block, list):
                out += [f"- {escape(item)}" for item in block] + [""]
            elif not block.rows:
                out += [escape(block.empty), ""]
            else:
                out.append("| " + " | ".join(_cell(h) for h in block.header) + " |")
                out.append("|" + "---|" * len(block.header))
                out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
                out.append("")
    return "\n".join(out).rstrip() + "\n"


def _cell(text: str) -> str:
    return escape(text).replace("\n", " ")


_STYLE = """
body { font: 11pt/1.45 system-ui, sans-serif; max-width: 60em; margin: 2em auto; color: #111; }
h1 { font-size: 1.6em; margin-bottom: 0.1em; } h2 { font-size: 1.2em; border-bottom: 1px solid #999;
margin-top: 1.6em; break-after: avoid; } table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; } tr { break-inside: avoid; } .sub { color: #444; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


# What a page serving `to_html` puts in its Content-Security-Policy to allow the one inline stylesheet.
STYLE_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode() + "'"


def to_html(doc: Document, links: Sequence[tuple[str, str]] = ()) -> str:
    """`links` (address, text) go under the title: the dashboard's way back and its downloads."""
    e = html.escape
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(doc.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(doc.title)}</h1>",
        f'<p class="sub">{e(doc.subtitle)}</p>',
    ]
    if links:
        out.append("<p>" + " · ".join(f'<a href="{e(href)}">{e(text)}</a>' for href, text in links) + "</p>")
    for section in doc.sections:
        out.append(f"<h2>{e(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, str):
                out.append(f"<p>{e(block)}</p>")
            elif isinstance(block, list):
                out.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in block) + "</ul>")
            elif not block.rows:
                out.append(f"<p>{e(block.empty)}</p>")
            else:
                head = "".join(f"<th>{e(h)}</th>" for h in block.header)
                body = "".join(
                    "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in block.rows
                )
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
