"""The decision log in the local web chat, over its WebSocket: the review form and its answer."""

from __future__ import annotations

from tests.local.conftest import client  # noqa: F401
from tests.local.helpers import Client, Tab


async def test_review_in_the_local_chat(client: Client) -> None:  # noqa: F811
    ivan = await Tab.open(client, "ivan@example.com")
    await ivan.send(type="say", text="review drift assistant")
    form = await ivan.until(lambda f: f["type"] == "form")
    assert form["form_id"] == "decisions.review" and "no flags" in form["html"]
    values = {"looked_at": "Sampled answers", "verdict": "watch", "evidence": "nope"}
    await ivan.send(type="submit", form_id="decisions.review", values=values)
    again = await ivan.until(lambda f: f["type"] in ("form", "form_close"))
    assert again["type"] == "form" and "One link a line" in again["html"]
    values["evidence"] = "https://dash.example.com/drift"
    await ivan.send(type="submit", form_id="decisions.review", values=values)
    done = await ivan.entry_containing("DR-1 recorded")
    assert "<strong>watch</strong>" in done["html"]
    await ivan.close()
