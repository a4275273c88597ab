"""Private replies asked for in a channel: shown to the actor alone, or sent to their direct chat.

An admin typing `@coach announcement 1 csv` in a public channel must not post every recipient's email
there. Where the platform can show a message to one person in a channel (Slack's ephemeral messages,
`Place.private_replies`) the reply becomes one; elsewhere (Teams has none; the local chat follows
Teams) it goes through the outbox to the actor's direct chat, and the channel gets a short note.
"""

from __future__ import annotations

import dataclasses
import secrets

from bot.messages import Reply, text_message
from bot.outbox import service as outbox
from bot.people import service as people
from bot.turn import Turn

SENT = "I've sent you that in our direct chat: it holds details only you should see."
SENT_ELSEWHERE = "I've sent you that in our direct chat on {platform}: it holds details only you should see."
NO_DIRECT_CHAT = (
    "That holds details only you should see, and I have no direct chat with you yet. "
    "Open a chat with me and ask there."
)


def keep_private(turn: Turn, replies: list[Reply]) -> list[Reply]:
    place = turn.event.place
    if place.is_direct or not any(r.private and r.message is not None for r in replies):
        return replies
    shown: list[Reply] = []
    noted = False
    for reply in replies:
        if not reply.private or reply.message is None:
            shown.append(reply)
        elif place.private_replies:
            shown.append(dataclasses.replace(reply, ephemeral=True))
        else:
            note = _to_direct_chat(turn, reply)
            if not noted:  # one note however many replies went
                shown.append(Reply(message=text_message(note), ephemeral=True, in_thread=reply.in_thread))
                noted = True
    return shown


def _to_direct_chat(turn: Turn, reply: Reply) -> str:
    assert reply.message is not None
    place = turn.event.place
    identity = people.reachable_identity(
        session=turn.session, person_id=turn.person_id, prefer=place.platform
    )
    if identity is None:
        return NO_DIRECT_CHAT
    outbox.enqueue(
        session=turn.session,
        key=f"private:{turn.person_id}:{secrets.token_hex(8)}",
        platform=identity.platform,
        address=identity.address,
        message=reply.message,
        now=turn.now,
        person_id=turn.person_id,
        priority=10,  # the answer to what they just asked
    )
    return SENT if identity.platform == place.platform else SENT_ELSEWHERE.format(platform=identity.platform)
