from __future__ import annotations

import re

import pytest

from adapters.local.render import render_bubble, render_form, render_markdown, render_message
from bot.messages import (
    Actions,
    Button,
    Context,
    Divider,
    Fact,
    Facts,
    Field,
    Form,
    Header,
    Message,
    Option,
    Quote,
    Text,
)


def test_markdown_constructs() -> None:
    html = render_markdown(
        "Hi **Ada**, _see_ `code` [docs](https://example.com/a?b=1&c=2)\n\n- one\n- two\n> said"
    )
    assert "<strong>Ada</strong>" in html
    assert "<em>see</em>" in html
    assert "<code>code</code>" in html
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">docs</a>'
        in html
    )
    assert "<ul><li>one</li><li>two</li></ul>" in html
    assert "<blockquote>said</blockquote>" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<!channel> <@U123>",
        "[x](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        '[x](https://ok.example" onmouseover="alert(1))',
    ],
)
def test_hostile_text_renders_inert(hostile: str) -> None:
    for html in (
        render_markdown(hostile),
        render_message(Message("s", (Quote(hostile, label=hostile), Facts((Fact(hostile, hostile),))))),
        render_message(Message("s", (Header(hostile), Context(hostile)))),
    ):
        assert "<script" not in html
        assert "<img" not in html
        assert "<!channel>" not in html
        assert 'href="javascript' not in html
        assert not re.search(r"<[^>]+\son\w+=", html)


def test_quote_and_facts_are_plain_text() -> None:
    html = render_message(
        Message("s", (Quote("**not bold** [x](https://e.example)"), Facts((Fact("A", "_not italic_"),))))
    )
    assert "<strong>" not in html and "<em>" not in html and "<a " not in html
    assert "**not bold** [x](https://e.example)" in html
    assert "_not italic_" in html


def test_every_block_type_renders() -> None:
    message = Message(
        "s",
        (
            Header("Title"),
            Text("body"),
            Quote("q", label="They wrote"),
            Facts((Fact("Time zone", "UTC"),)),
            Context("small"),
            Divider(),
            Actions(
                (
                    Button("a.go", "Go", value="v&1", style="primary"),
                    Button("a.stop", "Stop", style="danger"),
                    Button("a.link", "Runbook", url="https://example.com/runbook"),
                    Button("a.bad", "Bad", url="javascript:alert(1)"),
                )
            ),
        ),
    )
    html = render_message(message)
    assert '<h3 class="m-header">Title</h3>' in html
    assert "They wrote" in html and "<dt>Time zone</dt><dd>UTC</dd>" in html
    assert '<div class="m-context">' in html and "<hr" in html
    assert 'class="btn btn-primary" data-action-id="a.go" data-value="v&amp;1">Go</button>' in html
    assert "btn-danger" in html
    assert 'href="https://example.com/runbook" target="_blank" rel="noopener noreferrer"' in html
    assert "javascript" not in html and "btn-disabled" in html


def test_message_without_blocks_shows_summary() -> None:
    assert "<p>just &lt;this&gt;</p>" in render_message(Message("just <this>"))


def test_form_fields_with_errors_and_values() -> None:
    form = Form(
        form_id="f.1",
        title="Title <b>",
        intro="Some **intro**",
        fields=(
            Field("tz", "Time zone", initial="UTC", placeholder="Europe/Berlin", hint="An IANA name"),
            Field("notes", "Notes", kind="multiline", required=False, max_length=500),
            Field("pick", "Pick", kind="select", options=(Option("a", "Alpha"), Option("b", "Beta"))),
            Field("n", "Number", kind="number", initial="9"),
            Field("d", "When", kind="date"),
        ),
        submit_label="Save",
        errors={"tz": "Use a real <zone>", "other": "General problem"},
    )
    html = render_form(form, values={"tz": "Mars/Base", "pick": "b"})
    assert 'data-form-id="f.1"' in html and "Title &lt;b&gt;" in html and "<strong>intro</strong>" in html
    assert 'name="tz" required aria-describedby="f-tz-error" aria-invalid="true"' in html
    assert 'value="Mars/Base"' in html and "Use a real &lt;zone&gt;" in html
    # No maxlength: a browser would cut a paste to it without a word; the chat refuses it, named.
    assert '<textarea id="f-notes" name="notes" rows="4"></textarea>' in html
    assert "(optional)" in html
    assert '<option value="b" selected>Beta</option>' in html
    assert 'type="number"' in html and 'value="9"' in html and 'type="date"' in html
    assert "An IANA name" in html and "General problem" in html
    assert ">Save</button>" in html


def test_select_without_value_offers_a_blank_choice() -> None:
    form = Form("f", "T", (Field("pick", "Pick", kind="select", options=(Option("a", "Alpha"),)),))
    assert '<option value="">Choose…</option>' in render_form(form)


def test_bubble_marks_ephemeral_and_escapes_author() -> None:
    html = render_bubble(
        entry_id="x-1", author="<Eve>", body_html="<p>hi</p>", from_bot=True, mine=False, ephemeral=True
    )
    assert "Only you can see this" in html and "&lt;Eve&gt;" in html and 'data-id="x-1"' in html
