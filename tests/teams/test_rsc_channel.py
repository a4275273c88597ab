"""Owners answer an escalation card by replying in its thread, without @mentioning the coach: with
resource-specific consent (ChannelMessage.Read.Group) Teams sends every message in the team's channels.
The coach reads only replies in its own cards' threads and messages that @mention it; anything else in
the channel is dropped before anything of it is stored."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from adapters.runtime import Runtime
from bot.audit.models import ProcessedEvent
from bot.channels.models import ChannelAddress
from bot.escalations.models import Escalation
from bot.people.models import Person
from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import (  # noqa: F401  (the Teams adapter's fixtures, used by name)
    BOT,
    TENANT,
    Teams,
    bf,
    client,
    teams,
    teams_runtime,
    teams_settings,
)

CHANNEL = "19:compass-escalations@thread.tacv2"
TEAM = "19:compass-team@thread.tacv2"
_ids = itertools.count(1_700_000_000_000)


def channel_message(
    http: Teams, text: str, *, user: str, name: str, thread: str | None = None, mention: bool = False
) -> dict[str, Any]:
    """A channel message as Teams sends it to a bot with RSC: the thread's root id after `;messageid=`
    (a root post carries its own id there), a clientInfo entity, and a mention entity only when the
    person @mentioned the bot."""
    own_id = str(next(_ids))
    entities: list[dict[str, Any]] = [{"type": "clientInfo", "locale": "en-GB", "platform": "Web"}]
    if mention:
        text = f"<at>Coach</at> {text}"
        entities.append({"type": "mention", "mentioned": dict(BOT), "text": "<at>Coach</at>"})
    return {
        "type": "message",
        "id": own_id,
        "timestamp": "2026-11-23T09:05:00.000Z",
        "serviceUrl": http.service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{user}", "name": name, "aadObjectId": f"aad-{user}"},
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": f"{CHANNEL};messageid={thread or own_id}",
        },
        "recipient": BOT,
        "textFormat": "plain",
        "text": text,
        "attachments": [{"contentType": "text/html", "content": f"<p>{text}</p>"}],
        "entities": entities,
        "channelData": {
            "teamsChannelId": CHANNEL,
            "teamsTeamId": TEAM,
            "channel": {"id": CHANNEL},
            "team": {"id": TEAM},
            "tenant": {"id": TENANT},
        },
        "locale": "en-GB",
    }


def stored(runtime: Runtime) -> tuple[int, int, int]:
    """(people, processed events, channels) in the database."""

    def count(session: Any) -> tuple[int, int, int]:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(table)).one()
            for table in (Person, ProcessedEvent, ChannelAddress)
        )

    return runtime.store.run_sync(count)


async def flagged_card(http: Teams, runtime: Runtime) -> Escalation:
    """Uma flags an output; its card is in the escalation channel (the owner is Omar)."""
    await http.post(http.personal("hi", user="omar", name="Omar Haddad"))
    await http.post(http.personal("hi", user="uma", name="Uma Okafor"))
    # The bot learns the channel's address the first time it is mentioned there.
    await http.post(channel_message(http, "help", user="omar", name="Omar Haddad", mention=True))
    await http.post(http.personal("owners set escalation_owner assistant teams:aad-omar"))  # ada is admin
    form = {"coach_form": "escalation.flag", "coach_context": "", "output": "Renews in March",
            "reason": "wrong", "expected": "", "system": "assistant", "trace_id": "", "anonymous": "no"}  # fmt: skip
    assert (await http.post(http.submit(form, reply_to="reply-9", user="uma"))).status == 201
    await runtime.dispatcher.drain()
    row = runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    assert row is not None and row.card_platform == "teams" and row.card_thread_id
    return row


async def test_a_reply_in_the_cards_thread_without_a_mention_is_the_answer(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    row = await flagged_card(teams, teams_runtime)
    reply = channel_message(
        teams, "It renews in April.", user="omar", name="Omar Haddad", thread=row.card_thread_id
    )
    assert not any(e["type"] == "mention" for e in reply["entities"])
    bf.calls.clear()
    assert (await teams.post(reply)).status == 201
    await teams_runtime.dispatcher.drain()
    to_uma = [c.body for c in bf.calls if c.conversation_id == "a:personal-uma"]
    assert to_uma and "It renews in April." in str(to_uma)
    answered = teams_runtime.store.run_sync(lambda s: s.get(Escalation, 1))
    assert answered is not None and answered.answer == "It renews in April."


async def test_other_channel_messages_are_neither_answered_nor_stored(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    row = await flagged_card(teams, teams_runtime)
    before = stored(teams_runtime)
    bf.calls.clear()
    chatter = [
        channel_message(teams, "Lunch at noon?", user="zoe", name="Zoe New"),  # a new post
        channel_message(
            teams, "Count me in", user="yan", name="Yan New", thread="1699999999999"
        ),  # its thread
    ]
    for activity in chatter:
        assert (await teams.post(activity)).status == 201
    await teams_runtime.dispatcher.drain()
    assert bf.calls == []
    assert stored(teams_runtime) == before  # not even the people who wrote, nor a de-duplication key
    unanswered = teams_runtime.store.run_sync(lambda s: s.get(Escalation, row.id))
    assert unanswered is not None and unanswered.answer is None


async def test_a_mention_in_someone_elses_thread_is_a_command(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    await teams.post(teams.personal("hi", user="omar", name="Omar Haddad"))
    bf.calls.clear()
    mention = channel_message(
        teams, "owners", user="omar", name="Omar Haddad", thread="1699999999999", mention=True
    )
    assert (await teams.post(mention)).status == 201
    replies = [c for c in bf.calls if c.conversation_id.startswith(CHANNEL)]
    assert replies and "Compass" in str(replies[0].body)  # `owners` lists the systems and their owners
