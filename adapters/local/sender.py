"""The outbox's sender for platform "local": proactive messages into the hub.

Sending never waits for anyone to be connected: the hub keeps the message in the conversation's
transcript, shown when the person (or a channel viewer) opens the chat, and live to anyone watching.
"""

from __future__ import annotations

from adapters.local.hub import Entry, Hub
from adapters.local.identity import BadAddress, address_key
from bot.ports import Outgoing, PermanentFailure, Sent

BOT_NAME = "Adoption Coach"


class LocalSender:
    platform = "local"

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def send(self, outgoing: Outgoing) -> Sent:
        try:
            key = address_key(outgoing.address)
        except BadAddress as exc:
            raise PermanentFailure(str(exc)) from None
        entry = Entry(
            id=self.hub.new_id(), author=BOT_NAME, message=outgoing.message, thread_id=outgoing.thread_id
        )
        if outgoing.update_message_id:
            entry = await self.hub.replace(key, outgoing.update_message_id, entry)
        else:
            await self.hub.post(key, entry)
        return Sent(message_id=entry.id, thread_id=entry.thread_id or entry.id)
