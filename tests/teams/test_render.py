"""Neutral messages and forms -> Adaptive Cards 1.5, every card validated against the official schema."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from jsonschema import Draft6Validator

from adapters.runtime import Runtime
from adapters.teams.render import (
    MAX_ACTIVITY_BYTES,
    MAX_CARD_BYTES,
    TRUNCATED_NOTE,
    card_bytes,
    escape_text,
    render_form,
    render_message,
    render_message_parts,
)
from bot.events import Actor, Clicked, Event, Place, Said, Submitted
from bot.messages import (
    OPEN_FORM,
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
    text_message,
)
from tests.teams.conftest import adaptive_card_schema

VALIDATOR = Draft6Validator(adaptive_card_schema())
ADA = Actor(platform="teams", workspace="t", user_id="aad-ada", display_name="Ada", email="ada@example.com")
DM = Place(platform="teams", workspace="t", channel_id="a:personal-ada", is_direct=True)


def test_schema_rejects_a_broken_card() -> None:  # the validator really checks
    assert not VALIDATOR.is_valid({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]})


async def test_every_card_of_the_current_flows_is_valid(runtime: Runtime) -> None:
    cards: list[dict[str, Any]] = []

    async def run(event: Event) -> list[Any]:
        replies = await runtime.engine.handle(event)
        for reply in replies:
            if reply.message is not None:
                cards.append(render_message(reply.message))
            if reply.form is not None:
                cards.append(render_form(reply.form))
        return replies

    await run(Said(actor=ADA, place=DM, text="hello"))  # welcome + help
    await run(Said(actor=ADA, place=DM, text="settings"))
    await run(Said(actor=ADA, place=DM, text="admins"))
    await run(Said(actor=ADA, place=DM, text="admins add bob@example.com"))
    await run(Said(actor=ADA, place=DM, text="nonsense"))
    (opened,) = await run(Clicked(actor=ADA, place=DM, action_id=OPEN_FORM, value="people.settings|"))
    bad = {"timezone": "Nowhere", "workday_start": "x", "workday_end": "99"}
    (failed,) = await runtime.engine.handle(
        Submitted(actor=ADA, place=DM, form_id="people.settings", values=bad)
    )
    assert failed.form_errors
    cards.append(render_form(dataclasses.replace(opened.form, errors=dict(failed.form_errors)), values=bad))
    assert len(cards) >= 7
    for card in cards:
        VALIDATOR.validate(card)
        assert card_bytes(card) < MAX_ACTIVITY_BYTES


def test_all_block_and_field_kinds_are_valid() -> None:
    message = Message(
        summary="All blocks",
        blocks=(
            Header("Header"),
            Text("**bold** _italic_ `code` [link](https://example.com/a_(b))\n- one\n- two\n\n> quoted"),
            Quote("what the AI said", label="Output"),
            Facts((Fact("Owner", "Ada"),)),
            Context("small print"),
            Divider(),
            Actions(
                (
                    Button("a.go", "Go", value="1", style="primary"),
                    Button("a.stop", "Stop", style="danger"),
                    Button("a.link", "Docs", url="https://example.com/docs"),
                )
            ),
        ),
    )
    card = render_message(message)
    VALIDATOR.validate(card)
    assert [a["type"] for a in card["actions"]] == ["Action.Submit", "Action.Submit", "Action.OpenUrl"]
    assert card["actions"][0]["data"] == {"coach_action": "a.go", "coach_value": "1"}
    form = Form(
        form_id="f",
        title="Every field",
        intro="Fill **all** of it",
        context="ctx",
        fields=(
            Field("t", "Text", placeholder="p", max_length=20, hint="a hint"),
            Field("m", "Multi", kind="multiline", required=False),
            Field("s", "Select", kind="select", options=(Option("a", "A"), Option("b", "B")), initial="b"),
            Field("n", "Number", kind="number", initial="3"),
            Field("d", "Date", kind="date", initial="2026-11-23"),
        ),
        errors={"t": "Too short"},
    )
    card = render_form(form)
    VALIDATOR.validate(card)
    inputs = {b["id"]: b for b in card["body"] if b["type"].startswith("Input.")}
    assert inputs["m"]["isMultiline"] is True and inputs["t"]["isRequired"] is True
    assert inputs["n"]["value"] == 3 and inputs["s"]["value"] == "b"
    assert all(i["label"] and i["errorMessage"] for i in inputs.values())
    assert any(b.get("color") == "Attention" and b["text"] == "Too short" for b in card["body"])
    assert card["actions"][0]["data"] == {"coach_form": "f", "coach_context": "ctx"}


def test_user_text_cannot_mention_everyone_or_inject_markup() -> None:
    evil = "<at>everyone</at> **boom** [click](https://evil.example) \n- item"
    card = render_message(
        Message(summary="x", blocks=(Quote(evil), Facts((Fact("Reported by", evil),)), Header(evil)))
    )
    VALIDATOR.validate(card)
    text = json.dumps(card)
    assert "msteams" not in text and "entities" not in text  # no mention entity is ever created
    fact = card["body"][1]["facts"][0]["value"]
    assert "\\*\\*boom\\*\\*" in fact and "\\[click\\]" in fact
    run = card["body"][0]["items"][0]["inlines"][0]
    assert run == {"type": "TextRun", "text": evil}  # TextRun is never markdown


@pytest.mark.parametrize("text", ["- a", "1. b", "# c", "a *b* _c_ `d` [e]"])
def test_escape_text_neutralises_markdown(text: str) -> None:
    escaped = escape_text(text)
    assert escaped != text
    assert escaped.replace("\\", "") == text


def test_long_messages_are_truncated_with_a_visible_note() -> None:
    paragraphs = "\n\n".join(f"Paragraph {i} " + "words " * 200 for i in range(60))
    card = render_message(text_message(paragraphs))
    VALIDATOR.validate(card)
    assert card_bytes(card) < MAX_ACTIVITY_BYTES - 1024
    assert card["body"][-1]["text"] == escape_text(TRUNCATED_NOTE)
    huge = render_message(text_message("x" * 100_000))
    assert card_bytes(huge) < MAX_ACTIVITY_BYTES - 1024
    assert huge["body"][-1]["text"] == escape_text(TRUNCATED_NOTE)


def test_a_quote_too_long_for_one_card_goes_on_over_several() -> None:
    output = ("Résumé “quoted” 漢字 😀 \\ \"q\"\n" * 2000)[:40_000]
    message = Message("ESC-7: the full output", (Header("ESC-7"), Quote(output, label="Output")))
    cards = render_message_parts(message)
    assert len(cards) > 1 and all(card_bytes(c) <= MAX_CARD_BYTES for c in cards)
    items = [item for card in cards for block in card["body"] for item in block.get("items", [])]
    assert "".join(run["text"] for item in items for run in item.get("inlines", [])) == output
    labels = [item["text"] for item in items if item["type"] == "TextBlock"]
    assert labels[0] == f"Output (part 1 of {len(cards)})"
    assert render_message_parts(Message("s", (Quote("short"),))) == [render_message(Message("s", (Quote("short"),)))]
