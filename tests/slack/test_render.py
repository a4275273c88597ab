"""render(): neutral messages and forms -> Block Kit, escaped once and within Slack's limits."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.slack.form_button import opened, prefilled
from adapters.slack.mrkdwn import clip_mrkdwn, escape, split_mrkdwn, to_mrkdwn
from adapters.slack.render import (
    form_prompt,
    render_dialog,
    render_errors,
    render_form,
    render_home,
    render_message,
)
from bot.markdown import escape as md_escape
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
from tests.fakes.slack_blocks import check_message_blocks, check_view

HOSTILE = ["<!channel>", "<!here>", "<!subteam^S123>", "<@U123>", "<https://evil.example|your bank>", "a & b"]


@pytest.mark.parametrize(
    ("markdown", "mrkdwn"),
    [
        ("**bold** and _italic_", "*bold* and _italic_"),
        ("run `help` now", "run `help` now"),
        ("[the guide](https://example.com/a?b=1&c=2)", "<https://example.com/a?b=1&amp;c=2|the guide>"),
        ("[x](https://example.com/a|b>c)", "<https://example.com/a%7Cb%3Ec|x>"),
        ("- one\n- two", "• one\n• two"),
        ("> said", "> said"),
        ("1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2"),
        ("&amp; stays literal", "&amp;amp; stays literal"),
        ("[bad](javascript:alert(1))", "[bad](javascript:alert(1))"),
    ],
)
def test_markdown_to_mrkdwn(markdown: str, mrkdwn: str) -> None:
    assert to_mrkdwn(markdown) == mrkdwn


@pytest.mark.parametrize("hostile", HOSTILE)
def test_person_text_never_pings_or_links(hostile: str) -> None:
    message = Message(
        summary=hostile,
        blocks=(
            Text(f"You wrote {md_escape(hostile)} and {hostile}"),
            Quote(hostile, label=hostile),
            Facts((Fact(hostile, hostile),)),
            Context(hostile),
        ),
    )
    rendered = render_message(message)
    text = str(rendered)
    assert "<!" not in text and "<@" not in text and "<https" not in text
    assert escape(hostile) in rendered["blocks"][0]["text"]["text"]
    assert "&amp;amp;" not in text  # escaped exactly once
    check_message_blocks(rendered)


def test_every_block_kind_renders_valid_block_kit() -> None:
    message = Message(
        summary="All kinds",
        blocks=(
            Header("Title"),
            Text("**Hello**"),
            Quote("line one\nline two", label="They said"),
            Facts(tuple(Fact(f"L{i}", f"v{i}") for i in range(12))),
            Context("small print"),
            Divider(),
            Actions(
                (
                    Button("form.open", "Change", value="people.settings|", style="primary"),
                    Button("form.open", "Other", value="x|"),
                    Button("docs", "Docs", url="https://example.com"),
                )
            ),
        ),
    )
    rendered = render_message(message)
    check_message_blocks(rendered)
    kinds = [b["type"] for b in rendered["blocks"]]
    assert kinds == ["header", "section", "section", "section", "section", "context", "divider", "actions"]
    buttons = rendered["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["form.open", "form.open#2", "link.2"]
    assert buttons[2]["url"] == "https://example.com"
    assert rendered["text"] == "All kinds"


def test_long_text_is_split_into_sections() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(80))
    blocks = render_message(Message("long", (Text(text),)))["blocks"]
    assert len(blocks) >= 3
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")


def test_too_many_blocks_end_with_a_visible_note() -> None:
    message = Message("many", tuple(Text(f"part {i}") for i in range(80)))
    rendered = render_message(message)
    check_message_blocks(rendered)
    assert len(rendered["blocks"]) == 50
    assert "31 more parts not shown" in rendered["blocks"][-1]["elements"][0]["text"]


def test_oversized_parts_are_clipped_with_an_ellipsis() -> None:
    message = Message(
        "s" * 5000,
        (
            Header("h" * 300),
            Facts((Fact("label", "v" * 3000),)),
            Actions(
                tuple(Button(f"b{i}", "t" * 100, value="v" * (3000 if i == 0 else 5)) for i in range(30))
            ),
        ),
    )
    rendered = render_message(message)
    check_message_blocks(rendered)
    header = rendered["blocks"][0]["text"]["text"]
    assert len(header) == 150 and header.endswith("…")
    assert [b["type"] for b in rendered["blocks"][-2:]] == ["actions", "actions"]
    assert len(rendered["blocks"][-2]["elements"][0]["value"]) == 2000
    assert len(rendered["blocks"][-2]["elements"][0]["text"]["text"]) == 75
    assert len(rendered["text"]) == 3000


def test_clip_never_leaves_half_an_entity_or_token() -> None:
    assert clip_mrkdwn("ab &amp; cd", 6) == "ab …"
    assert clip_mrkdwn("see <https://x.example|x> now", 12) == "see …"
    assert split_mrkdwn("a\nb\nc", 3) == ["a\nb", "c"]


def settings_form(**changes: Any) -> Form:
    fields = (
        Field("timezone", "Time zone", placeholder="Europe/Berlin", hint="An IANA name", initial="UTC"),
        Field("notes", "Notes", kind="multiline", required=False, max_length=500),
        Field(
            "team",
            "Team",
            kind="select",
            options=tuple(Option(f"t{i}", f"Team {i}") for i in range(120)),
            initial="t3",
        ),
        Field("start", "Start", kind="number", initial="9"),
        Field("day", "Day", kind="date", initial="2026-11-30"),
    )
    return Form(**{"form_id": "people.settings", "title": "Your settings", "fields": fields, **changes})


def test_form_renders_a_valid_modal() -> None:
    view = render_form(settings_form(intro="Tell me **when**.", context="ctx", submit_label="Save"))
    check_view(view, home=False)
    assert view["callback_id"] == "people.settings"
    assert view["private_metadata"] == "ctx"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == ["timezone", "notes", "team", "start", "day"]
    kinds = [b["element"]["type"] for b in inputs]
    assert kinds == ["plain_text_input", "plain_text_input", "static_select", "number_input", "datepicker"]
    assert inputs[1]["optional"] is True and inputs[1]["element"]["multiline"] is True
    assert len(inputs[2]["element"]["options"]) == 100
    assert inputs[2]["element"]["initial_option"]["value"] == "t3"
    assert inputs[4]["element"]["initial_date"] == "2026-11-30"


def test_form_limits_are_clipped() -> None:
    view = render_form(settings_form(title="A very long title for a modal view", context="c" * 4000))
    check_view(view, home=False)
    assert len(view["title"]["text"]) == 24
    assert len(view["private_metadata"]) == 3000


def test_errors_become_a_response_action() -> None:
    assert render_errors({"timezone": "Use a name"}) == {
        "response_action": "errors",
        "errors": {"timezone": "Use a name"},
    }


def test_form_prompt_offers_a_button_carrying_what_was_written() -> None:
    rendered = render_message(form_prompt(settings_form(context="42")))
    button = rendered["blocks"][-1]["elements"][0]
    assert button["action_id"] == "form.open"
    assert opened(button["value"]) == ("people.settings|42", {"timezone": "UTC"})  # text fields only
    bare = render_message(form_prompt(settings_form(context="42", fields=())))
    assert bare["blocks"][-1]["elements"][0]["value"] == "people.settings|42"


def test_a_prefill_too_long_for_the_button_is_left_out_with_a_note() -> None:
    output = Field("output", "The AI output", kind="multiline", initial="x" * 2500)
    rendered = render_message(form_prompt(Form("escalation.flag", "Flag", (output,), context="link")))
    check_message_blocks(rendered)
    assert rendered["blocks"][-1]["elements"][0]["value"] == "escalation.flag|link"
    assert "too long to carry into the form" in str(rendered["blocks"])


def test_what_was_written_goes_back_into_the_empty_fields_only() -> None:
    form = Form(
        "f",
        "F",
        (
            Field("output", "O", kind="multiline"),
            Field("reason", "R", kind="select", initial="unclear"),
            Field("tz", "T", initial="UTC"),
        ),
    )
    refilled = prefilled(form, {"output": "hello", "reason": "wrong", "tz": "Europe/Paris"})
    assert [f.initial for f in refilled.fields] == ["hello", "unclear", "UTC"]
    assert opened("{not json") == ("{not json", {}) and opened('{"x": 1}') == ('{"x": 1}', {})


def test_home_view() -> None:
    home = render_home([Message("a", (Text("one"),)), Message("b", (Text("two"),))])
    check_view(home, home=True)
    assert [b["type"] for b in home["blocks"]] == ["section", "divider", "section"]
    default = render_home([])
    check_view(default, home=True)
    assert default["blocks"][0]["type"] == "header"


def test_a_whole_output_in_a_dialog_is_never_clipped() -> None:
    """A 40,000-character line full of `&` (five characters each once escaped) reads whole in the modal."""
    output = ("Q&A <ok> " * 5000)[:40_000]
    view = render_dialog(Message("ESC-7: the full output", (Header("ESC-7"), Quote(output))))
    check_view(view, home=False)
    assert view["title"]["text"] == "ESC-7"  # the header is the title
    lines = [line for b in view["blocks"] for line in b["text"]["text"].split("\n")]
    assert all(line.startswith("> ") for line in lines)
    shown = "".join(line[2:] for line in lines)
    assert shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == output
    assert "submit" not in view and view["close"]["text"] == "Close"


def test_a_text_input_never_asks_slack_for_more_than_it_allows() -> None:
    view = render_form(Form("f", "F", (Field("output", "Output", kind="multiline", max_length=40_000),)))
    check_view(view, home=False)
    assert view["blocks"][0]["element"]["max_length"] == 3000
