"""A long flagged output over the Teams HTTP path: kept on the server from a chat message or the
message action (a card holds about 28 KB), read whole by the owner from "Show full output" (the
reply goes on over several cards, each under the limit), and refused over 40,000 with the limit named."""

from __future__ import annotations

import html
from typing import Any

from adapters.runtime import Runtime
from bot.escalations.models import Escalation
from tests.escalations.test_long_output import long_output
from tests.escalations.test_teams_http import CHANNEL, _calls_to, _in_channel
from tests.fakes.teams_connector import MAX_ACTIVITY_BYTES, FakeBotFramework
from tests.teams.conftest import (  # noqa: F401  (the Teams adapter's fixtures, used by name)
    Teams,
    bf,
    client,
    teams,
    teams_runtime,
    teams_settings,
)

FLAG = {"coach_form": "escalation.flag", "reason": "wrong", "expected": "", "system": "assistant",
        "trace_id": "", "anonymous": "no"}  # fmt: skip


def submit_data(card: dict[str, Any]) -> dict[str, Any]:
    (action,) = [a for a in card.get("actions", []) if a["type"] == "Action.Submit"]
    data: dict[str, Any] = action["data"]
    return data


def runs(bodies: list[dict[str, Any]]) -> list[str]:
    """The TextRun texts of the cards sent, in order: a Quote's text, as Teams shows it."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextRun":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(bodies)
    return found


async def setup_owner(teams: Teams) -> None:  # noqa: F811
    await teams.post(teams.personal("hi", user="omar", name="Omar Haddad"))
    await teams.post(teams.personal("hi", user="uma", name="Uma Okafor"))
    await teams.post(_in_channel(teams, "help", user="omar", name="Omar Haddad"))  # the channel's address
    await teams.post(teams.personal("owners set escalation_owner assistant teams:aad-omar"))  # ada: admin


async def test_a_20000_character_flag_reaches_the_owner_whole(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    await setup_owner(teams)
    output = long_output(20_000)
    bf.calls.clear()
    assert (await teams.post(teams.personal(f"flag {output}", user="uma", name="Uma Okafor"))).status == 201
    (form,) = bf.cards()
    assert submit_data(form)["coach_context"] == "draft:1"
    assert "20,000 characters" in "\n".join(bf.texts())
    bf.calls.clear()
    data = {**FLAG, "coach_context": "draft:1"}
    assert (await teams.post(teams.submit(data, reply_to="form-1", user="uma"))).status == 201
    assert "shows the first 2,000 of its 20,000 characters" in "\n".join(bf.texts())

    bf.calls.clear()
    await teams_runtime.dispatcher.drain()
    (card,) = _calls_to(bf, CHANNEL)
    row = teams_runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    assert row is not None and row.output_text == output and row.card_thread_id
    (show,) = [a["data"] for a in card["attachments"][0]["content"]["actions"] if a["title"] == "Show full output"]

    click = _in_channel(teams, "", user="omar", name="Omar Haddad", thread=row.card_thread_id)
    click.update(value=show, replyToId=row.card_thread_id)
    bf.calls.clear()
    assert (await teams.post(click)).status == 201
    sent = _calls_to(bf, CHANNEL)
    assert len(sent) >= 2  # 20,000 characters go on over several cards, none over Teams' limit
    assert all(c.conversation_id.endswith(f";messageid={row.card_thread_id}") for c in bf.calls)
    assert "".join(runs(sent)) == output


async def test_the_message_action_keeps_a_long_output_whole(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    await setup_owner(teams)
    output = long_output(20_000)
    content = "".join(f"<p>{html.escape(line)}</p>" for line in output.split("\n"))
    assert len(content.encode()) < MAX_ACTIVITY_BYTES + 8 * 1024  # roughly what a Teams message holds
    value = {
        "commandId": "flagOutput",
        "commandContext": "message",
        "messagePayload": {
            "linkToMessage": "https://teams.example/l/message/19:abc/1",
            "body": {"contentType": "html", "content": content},
        },
    }
    fetched = await (await teams.post(teams.invoke("composeExtension/fetchTask", value, user="uma"))).json()
    assert fetched["task"]["type"] == "continue"
    data = submit_data(fetched["task"]["value"]["card"]["content"])
    assert data["coach_context"] == "draft:1"
    submit = {"commandId": "flagOutput", "data": {**data, **FLAG}}
    answered = await (await teams.post(teams.invoke("composeExtension/submitAction", submit, user="uma"))).json()
    assert "ESC-1" in answered["task"]["value"]
    row = teams_runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    assert row is not None and row.output_text == output  # every line, every character
    assert row.source_link == "https://teams.example/l/message/19:abc/1"


async def test_over_the_limit_is_refused_with_the_limit_named(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
) -> None:
    bf.calls.clear()
    await teams.post(teams.personal(f"flag {long_output(40_001)}", user="uma", name="Uma Okafor"))
    said = "\n".join(bf.texts())
    assert "That output is 40,001 characters long; a flag keeps up to 40,000." in said
    assert not any("coach_form" in str(card) for card in bf.cards())
