"""A long flagged output through the local chat's WebSocket: kept whole, read whole by the owner in a
dialog, refused over the limit with the limit named; a form value over its field's limit is refused."""

from __future__ import annotations

import re
from html import unescape

from adapters.runtime import Runtime
from tests.escalations.test_long_output import long_output
from tests.local.helpers import Client, Tab, button
from tests.local.test_channel_escalation import recorded


def quote_text(html: str) -> str:
    (text,) = re.findall(r"<blockquote>(.*?)</blockquote>", html, re.DOTALL)
    return unescape(text)


async def test_a_20000_character_output_reaches_the_owner_whole(client: Client, runtime: Runtime) -> None:
    output = long_output(20_000)
    owner = await Tab.open(client, "omar@example.com", channel="esc-assistant")
    uma = await Tab.open(client, "uma@example.com")
    await uma.send(type="say", text=f"flag {output}")
    form = await uma.until(lambda f: f["type"] == "form")
    assert "20,000 characters" in form["html"] and 'name="output"' not in form["html"]
    await uma.send(type="submit", form_id=form["form_id"], values={"reason": "wrong", "system": "assistant"})
    receipt = await uma.entry_containing("ESC-1")
    assert "shows the first 2,000 of its 20,000 characters" in receipt["html"]

    await runtime.dispatcher.drain()
    card = await owner.until(lambda f: f["type"] == "entry" and "ESC-1" in f["html"])
    await recorded(runtime, card["id"])
    assert output not in unescape(card["html"])  # the card holds the start only, ending in "…"
    action_id, value = button(card, "Show full output")
    await owner.send(type="click", action_id=action_id, value=value, message_id=card["id"])
    dialog = await owner.until(lambda f: f["type"] == "form")
    assert dialog["form_id"] == "" and "ESC-1: the full output" in dialog["html"]
    assert quote_text(dialog["html"]) == output
    await owner.send(type="cancel_form")  # its Close button
    assert (await owner.until(lambda f: f["type"] == "form_close"))["type"] == "form_close"


async def test_an_output_over_40000_characters_is_refused_with_the_limit_named(client: Client) -> None:
    uma = await Tab.open(client, "uma@example.com")
    await uma.send(type="say", text=f"flag {long_output(40_001)}")  # the chat itself takes 50,000
    refused = await uma.entry_containing("a flag keeps up to 40,000")
    assert refused["ephemeral"] and "That output is 40,001 characters long" in refused["html"]


async def test_a_value_over_its_fields_limit_is_refused_not_cut(client: Client) -> None:
    uma = await Tab.open(client, "uma@example.com")
    await uma.send(type="say", text="flag")
    form = await uma.until(lambda f: f["type"] == "form")
    assert "maxlength" not in form["html"]  # a browser would cut a paste to it without a word
    values = {"output": "x" * 20_000, "reason": "wrong", "system": "assistant"}
    await uma.send(type="submit", form_id=form["form_id"], values=values)
    again = await uma.until(lambda f: f["type"] in ("form", "form_close"))
    assert again["type"] == "form"
    assert "Up to 3,000 characters here; this is 20,000." in again["html"]
    assert "x" * 20_000 in again["html"]  # what they pasted is still there, whole
