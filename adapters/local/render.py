"""Neutral messages and forms as HTML for the local web chat: pure functions, no I/O.

Everything that reaches the page passes through `html.escape` here, once. Markdown goes through
`bot.markdown.parse`, so text a person wrote can never become markup, and only http(s) and mailto
links survive (the parser drops any other scheme; `_safe_url` checks again before writing `href`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from bot.markdown import Line, Span, parse
from bot.messages import (
    Actions,
    Block,
    Button,
    Context,
    Divider,
    Fact,
    Facts,
    Field,
    Form,
    Header,
    Image,
    Message,
    Quote,
    Text,
)

_SAFE_URL = re.compile(r"^(https?://|mailto:)[^\s\"'<>]+$", re.IGNORECASE)
_LINK_ATTRS = 'target="_blank" rel="noopener noreferrer"'


def e(text: str) -> str:
    return escape(text, quote=True)


def render_message(message: Message) -> str:
    if not message.blocks:
        return f'<div class="m-text"><p>{e(message.summary)}</p></div>'
    return "".join(render_block(block) for block in message.blocks)


_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")  # a chart's PNG: nothing that could leave the attribute


def render_block(block: Block) -> str:
    if isinstance(block, Header):
        return f'<h3 class="m-header">{e(block.text)}</h3>'
    if isinstance(block, Text):
        return f'<div class="m-text">{render_markdown(block.markdown)}</div>'
    if isinstance(block, Quote):
        label = f'<figcaption class="m-quote-label">{e(block.label)}</figcaption>' if block.label else ""
        return f'<figure class="m-quote">{label}<blockquote>{e(block.text)}</blockquote></figure>'
    if isinstance(block, Facts):
        return '<dl class="m-facts">' + "".join(_fact(f) for f in block.items) + "</dl>"
    if isinstance(block, Context):
        return f'<div class="m-context">{render_markdown(block.markdown)}</div>'
    if isinstance(block, Divider):
        return '<hr class="m-divider">'
    if isinstance(block, Actions):
        return '<div class="m-actions">' + "".join(render_button(b) for b in block.buttons) + "</div>"
    if isinstance(block, Image):
        if not _BASE64.fullmatch(block.png):
            return f'<p class="m-context">[{e(block.alt)}]</p>'
        return (
            f'<figure class="m-image"><img src="data:image/png;base64,{block.png}" alt="{e(block.alt)}">'
            "</figure>"
        )
    raise TypeError(f"unknown block {block!r}")


def _fact(fact: Fact) -> str:
    return f"<div><dt>{e(fact.label)}</dt><dd>{e(fact.value)}</dd></div>"


def render_button(button: Button) -> str:
    style = f" btn-{button.style}" if button.style else ""
    if button.url is not None:
        if not _safe_url(button.url):
            return f'<span class="btn btn-disabled" title="link removed">{e(button.label)}</span>'
        return f'<a class="btn{style}" href="{e(button.url)}" {_LINK_ATTRS}>{e(button.label)} ↗</a>'
    return (
        f'<button type="button" class="btn{style}" data-action-id="{e(button.action_id)}" '
        f'data-value="{e(button.value)}">{e(button.label)}</button>'
    )


def render_markdown(markdown: str) -> str:
    """Paragraphs, bullet lists and quotes from the neutral markdown subset."""
    out: list[str] = []
    group: list[Line] = []

    def flush() -> None:
        if not group:
            return
        inner = [render_spans(line.spans) for line in group]
        kind = group[0].kind
        if kind == "bullet":
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in inner) + "</ul>")
        elif kind == "quote":
            out.append("<blockquote>" + "<br>".join(inner) + "</blockquote>")
        else:
            out.append("<p>" + "<br>".join(inner) + "</p>")
        group.clear()

    for line in parse(markdown):
        if line.kind == "blank" or (group and group[0].kind != line.kind):
            flush()
        if line.kind != "blank":
            group.append(line)
    flush()
    return "".join(out)


def render_inline(markdown: str) -> str:
    """Markdown for a small place (a field's hint): its lines' spans, no paragraphs or lists."""
    return "<br>".join(render_spans(line.spans) for line in parse(markdown) if line.kind != "blank")


def render_spans(spans: tuple[Span, ...]) -> str:
    return "".join(_span(s) for s in spans)


def _span(span: Span) -> str:
    text = e(span.text)
    if span.kind == "bold":
        return f"<strong>{text}</strong>"
    if span.kind == "italic":
        return f"<em>{text}</em>"
    if span.kind == "code":
        return f"<code>{text}</code>"
    if span.kind == "link":
        if span.url is None or not _safe_url(span.url):
            return text
        return f'<a href="{e(span.url)}" {_LINK_ATTRS}>{text}</a>'
    return text


def _safe_url(url: str) -> bool:
    return bool(_SAFE_URL.match(url))


# --- forms --------------------------------------------------------------------------------------


def render_form(form: Form, *, values: Mapping[str, str] | None = None) -> str:
    """A form with its fields; `values` (what was submitted) win over the fields' initial values.

    No `maxlength`: a browser silently cuts a paste to it. A value over a field's limit is refused
    on submission, with the limit named beside the field (`web.Tab`).
    """
    values = values or {}
    intro = f'<div class="f-intro">{render_markdown(form.intro)}</div>' if form.intro else ""
    fields = "".join(
        _field(field, value=values.get(field.name, field.initial), error=form.errors.get(field.name))
        for field in form.fields
    )
    names = {field.name for field in form.fields}
    general = "".join(
        f'<div class="f-error" role="alert">{e(text)}</div>'
        for name, text in form.errors.items()
        if name not in names
    )
    return (
        f'<form class="f-form" data-form-id="{e(form.form_id)}">'
        f'<h2 class="f-title">{e(form.title)}</h2>{intro}{general}{fields}'
        '<div class="f-buttons">'
        '<button type="button" class="btn f-cancel">Cancel</button>'
        f'<button type="submit" class="btn btn-primary">{e(form.submit_label)}</button>'
        "</div></form>"
    )


def _field(field: Field, *, value: str | None, error: str | None) -> str:
    ident = f"f-{field.name}"
    required = " required" if field.required else ""
    described = f' aria-describedby="{e(ident)}-error" aria-invalid="true"' if error else ""
    common = f'id="{e(ident)}" name="{e(field.name)}"{required}{described}'
    placeholder = f' placeholder="{e(field.placeholder)}"' if field.placeholder else ""
    current = value or ""
    if field.kind == "multiline":
        control = f'<textarea {common} rows="4"{placeholder}>{e(current)}</textarea>'
    elif field.kind == "select":
        blank = '<option value="">Choose…</option>' if not current else ""
        options = "".join(
            f'<option value="{e(o.value)}"{" selected" if o.value == current else ""}>{e(o.label)}</option>'
            for o in field.options
        )
        control = f"<select {common}>{blank}{options}</select>"
    else:
        kind = {"number": "number", "date": "date"}.get(field.kind, "text")
        step = ' step="any"' if kind == "number" else ""
        control = f'<input type="{kind}" {common} value="{e(current)}"{placeholder}{step}>'
    optional = "" if field.required else ' <span class="f-optional">(optional)</span>'
    hint = f'<div class="f-hint">{render_inline(field.hint)}</div>' if field.hint else ""
    problem = f'<div class="f-error" id="{e(ident)}-error" role="alert">{e(error)}</div>' if error else ""
    invalid = " f-invalid" if error else ""
    return (
        f'<div class="f-field{invalid}" data-field="{e(field.name)}">'
        f'<label for="{e(ident)}">{e(field.label)}{optional}</label>{control}{hint}{problem}</div>'
    )


def render_dialog(message: Message) -> str:
    """A message to read in the dialog, with only a Close button (`Reply.dialog`); a leading Header
    is its title."""
    blocks = message.blocks
    title = message.summary
    if blocks and isinstance(blocks[0], Header):
        title, blocks = blocks[0].text, blocks[1:]
    body = "".join(render_block(block) for block in blocks)
    return (
        f'<div class="f-form f-dialog"><h2 class="f-title">{e(title)}</h2>{body}'
        '<div class="f-buttons"><button type="button" class="btn f-cancel">Close</button></div></div>'
    )


# --- chat bubbles ------------------------------------------------------------------------------


def render_bubble(
    *,
    entry_id: str,
    author: str,
    body_html: str,
    from_bot: bool,
    mine: bool,
    ephemeral: bool = False,
    can_thread: bool = False,
) -> str:
    """One chat entry around an already rendered body."""
    classes = ["bubble", "from-bot" if from_bot else "from-person"]
    if mine:
        classes.append("mine")
    if ephemeral:
        classes.append("ephemeral")
    note = '<div class="only-you">Only you can see this</div>' if ephemeral else ""
    reply = '<button type="button" class="link thread-reply">Reply in thread</button>' if can_thread else ""
    return (
        f'<div class="{" ".join(classes)}" data-id="{e(entry_id)}">'
        f'<div class="author">{e(author)}</div>{note}<div class="body">{body_html}</div>{reply}'
        '<div class="thread"></div></div>'
    )


def render_person_text(text: str) -> str:
    """What a person typed: plain text, shown verbatim."""
    return f'<div class="m-plain">{e(text)}</div>'
