"""One person in one local conversation: their input as neutral events, the engine's replies placed.

Shared by the web chat and the terminal. Replies everyone in the conversation may see go to the
hub (its transcript and every watching tab); ephemeral replies, forms and form errors belong to the one
client that acted and come back in an `Outcome` for it to show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from adapters.local import identity
from adapters.local.hub import Entry, Hub
from adapters.local.sender import BOT_NAME
from bot.engine import Engine
from bot.events import Actor, Clicked, Event, Opened, Place, Said, Submitted
from bot.messages import Form, Message, Reply, text_message

MAX_TEXT = 50_000  # above the coach's own limits (a flagged output: 40,000), which then name theirs
MENTION = re.compile(r"^@coach\b[:,]?", re.IGNORECASE)


@dataclass
class Outcome:
    """What only the acting client shows."""

    private: list[Entry] = field(default_factory=list)  # ephemeral replies; an id already shown is replaced
    form: Form | None = None  # open this form (or the next one after a submit)
    form_errors: Mapping[str, str] | None = None  # keep the submitted form open with these errors
    close_form: bool = False
    dialog: Message | None = None  # show this in a dialog (`Reply.dialog`)


class Conversation:
    def __init__(
        self,
        *,
        engine: Engine,
        hub: Hub,
        email: str,
        name: str | None = None,
        timezone: str | None = None,
        channel: str | None = None,
    ) -> None:
        self.engine = engine
        self.hub = hub
        self.email = email
        self.actor: Actor = identity.actor(email, name=name, timezone=timezone)
        self.channel = channel
        address = identity.channel_address(channel) if channel else identity.user_address(email)
        self.key = identity.address_key(address)
        self._opened = False

    def place(self, thread_id: str | None = None) -> Place:
        if self.channel:
            return identity.channel_place(self.channel, thread_id=thread_id)
        return identity.dm_place(self.email, thread_id=thread_id)

    async def open(self) -> Outcome:
        """Meet the bot: records how to reach this person, and welcomes them the first time."""
        self._opened = True
        event = Opened(self.actor, identity.dm_place(self.email), surface="first_contact")
        dm = identity.address_key(identity.user_address(self.email))
        return await self._run(event, source_id=None, thread_id=None, key=dm)  # a welcome is personal

    async def say(self, text: str, *, thread_id: str | None = None) -> Outcome:
        text = text.strip()
        if not text:
            return Outcome()
        if len(text) > MAX_TEXT:
            return self.notice(
                f"That message is too long to send: {len(text):,} characters, and the chat takes up to "
                f"{MAX_TEXT:,}. Nothing was sent."
            )
        if thread_id is not None and await self.hub.find(self.key, thread_id) is None:
            thread_id = None  # the thread is gone (pruned from the transcript): post at the top level
        mine = await self.hub.post(
            self.key,
            Entry(
                id=self.hub.new_id(),
                author=self.actor.display_name or self.email,
                text=text,
                author_email=self.email,
                thread_id=thread_id,
            ),
        )
        via: Literal["message", "mention", "thread_reply"] = "message"
        if thread_id is not None:
            via = "thread_reply"
        elif self.channel is not None:
            # As on Slack, the bot hears a channel's top level only when it is mentioned.
            mentioned = MENTION.match(text)
            if mentioned is None:
                return Outcome()
            text, via = text[mentioned.end() :].strip(), "mention"
        event = Said(self.actor, self.place(thread_id), text, message_id=mine.id, via=via)
        return await self._run(event, source_id=mine.id, thread_id=thread_id)

    async def click(self, *, message_id: str | None, action_id: str, value: str) -> Outcome:
        source = await self.hub.find(self.key, message_id) if message_id else None
        thread_id = source.thread_id if source else None
        event = Clicked(self.actor, self.place(thread_id), action_id, value, message_id=message_id)
        return await self._run(event, source_id=message_id, thread_id=thread_id)

    async def submit(self, *, form: Form, values: Mapping[str, str]) -> Outcome:
        event = Submitted(self.actor, self.place(), form.form_id, dict(values), context=form.context)
        outcome = await self._run(event, source_id=None, thread_id=None)
        outcome.close_form = outcome.form_errors is None and outcome.form is None
        return outcome

    def notice(self, text: str) -> Outcome:
        """A private note from the chat itself (not the engine), e.g. about bad input."""
        entry = Entry(id=self.hub.new_id(), author=BOT_NAME, message=text_message(text), ephemeral=True)
        return Outcome(private=[entry])

    async def _run(
        self, event: Event, *, source_id: str | None, thread_id: str | None, key: str | None = None
    ) -> Outcome:
        outcome = Outcome()
        if not self._opened:  # meet first, so a first-contact welcome lands in the DM, not a channel
            outcome.private.extend((await self.open()).private)
        replies = await self.engine.handle(event)
        for reply in replies:
            await self._place(reply, outcome, source_id=source_id, thread_id=thread_id, key=key or self.key)
        return outcome

    async def _place(
        self, reply: Reply, outcome: Outcome, *, source_id: str | None, thread_id: str | None, key: str
    ) -> None:
        if reply.form is not None:
            outcome.form = reply.form
        if reply.form_errors is not None:
            outcome.form_errors = dict(reply.form_errors)
        if reply.message is None:
            return
        if reply.dialog:
            outcome.dialog = reply.message
            return
        thread = thread_id or (source_id if reply.in_thread else None)
        entry = Entry(
            id=self.hub.new_id(),
            author=BOT_NAME,
            message=reply.message,
            thread_id=thread,
            ephemeral=reply.ephemeral,
        )
        if reply.replace_source and source_id is not None:
            if not reply.ephemeral and await self.hub.find(key, source_id) is not None:
                await self.hub.replace(key, source_id, entry)
                return
            entry = Entry(  # the source was private to this client: replace it there
                id=source_id, author=BOT_NAME, message=reply.message, thread_id=thread, ephemeral=True
            )
            outcome.private.append(entry)
            return
        if reply.ephemeral:
            outcome.private.append(entry)
        else:
            await self.hub.post(key, entry)
