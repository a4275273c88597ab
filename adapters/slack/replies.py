"""Shows the engine's replies where the event happened, through the Web API (after the ack).

- messages: chat.postMessage in the event's channel or thread (or the person's DM when the event had
  no channel, e.g. a modal submission); ephemeral in channels via chat.postEphemeral, and a `stale`
  note ("Already recorded: …") ephemeral in a DM too; replies to a slash command via its response_url;
  `replace_source` via chat.update (response_url for ephemeral).
- forms: views.open with the event's trigger_id (usable once, within 3 s); without one, a message
  with a button that opens the form. A `dialog` reply is a modal the same way, else a message.
- the App Home: views.publish with every message of the turn.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.directory import Directory
from adapters.slack.errors import error_of
from adapters.slack.form_button import prefilled
from adapters.slack.render import form_prompt, render_dialog, render_form, render_home, render_message
from bot.events import Clicked, Event, Opened, Said
from bot.messages import Message, Reply

log = logging.getLogger(__name__)

Respond = Callable[..., Awaitable[Any]]
# A reply Slack refused for now (429 after the SDK's one retry, 5xx): (address, message, key, thread).
Later = Callable[[dict[str, str], Message, str, str | None], Awaitable[None]]


@dataclass
class Surface:
    """What the request offers besides the Web API: a trigger for a modal, a response_url."""

    trigger_id: str | None = None
    respond: Respond | None = None  # Bolt's respond(), bound to the request's response_url
    respond_all: bool = False  # slash commands answer everything through response_url
    source_is_ephemeral: bool = False
    prefill: Mapping[str, str] = field(default_factory=dict)  # what a clicked form button carried


async def show_replies(
    event: Event,
    replies: Sequence[Reply],
    surface: Surface,
    *,
    client: AsyncWebClient,
    directory: Directory,
    later: Later | None = None,
) -> None:
    """Show the replies; `client` carries the token of the event's workspace. A message Slack refuses
    for now goes to `later` (the outbox) rather than being lost."""
    turn = _Showing(client=client, directory=directory, later=later)
    if isinstance(event, Opened) and event.surface == "home":
        await turn.publish_home(event, [r.message for r in replies if r.message is not None])
        return
    for n, reply in enumerate(replies):
        turn.key = f"reply:slack:{event.actor.workspace}:{_origin(event)}:{n}"
        try:
            await turn.one(event, reply, surface)
        except SlackApiError as exc:
            log.warning("Slack refused a reply: %s", error_of(exc))
        except aiohttp.ClientError as exc:  # the SDK already retried a failed connection once
            log.warning("Slack could not be reached for a reply: %s", exc)


def _origin(event: Event) -> str:
    """What identifies the event a reply answers, across Slack's retries of it."""
    message_id = getattr(event, "message_id", None)
    return event.event_id or message_id or f"{event.place.channel_id}:{event.actor.user_id}"


def _for_now(exc: SlackApiError) -> bool:
    status = int(getattr(exc.response, "status_code", 0) or 0)
    return status == 429 or status >= 500 or error_of(exc) == "ratelimited"


class _Showing:
    """One turn's replies being shown: the workspace's client, and where a refused message goes."""

    def __init__(self, *, client: AsyncWebClient, directory: Directory, later: Later | None = None) -> None:
        self.client = client
        self.directory = directory
        self.later = later
        self.key = ""

    async def one(self, event: Event, reply: Reply, surface: Surface) -> None:
        if reply.dialog and reply.message is not None and surface.trigger_id:
            trigger, surface.trigger_id = surface.trigger_id, None
            await self.client.views_open(trigger_id=trigger, view=render_dialog(reply.message))
            return
        if reply.form is not None:
            if surface.trigger_id:
                trigger, surface.trigger_id = surface.trigger_id, None  # a trigger works once
                view = render_form(prefilled(reply.form, surface.prefill))
                await self.client.views_open(trigger_id=trigger, view=view)
            else:
                await self._message(event, Reply(message=form_prompt(reply.form)), surface)
        if reply.message is not None:
            await self._message(event, reply, surface)

    async def _message(self, event: Event, reply: Reply, surface: Surface) -> None:
        assert reply.message is not None
        payload = render_message(reply.message)
        place = event.place
        if surface.respond is not None and surface.respond_all:
            await surface.respond(response_type="ephemeral", **payload)
            return
        if reply.replace_source and isinstance(event, Clicked) and event.message_id:
            if surface.source_is_ephemeral and surface.respond is not None:
                await surface.respond(replace_original=True, **payload)
                return
            if place.channel_id:
                await self.client.chat_update(channel=place.channel_id, ts=event.message_id, **payload)
                return
        thread_ts = self._thread(event, reply)
        if reply.ephemeral and not place.is_direct and place.channel_id:
            await self.client.chat_postEphemeral(
                channel=place.channel_id, user=event.actor.user_id, thread_ts=thread_ts, **payload
            )
            return
        channel = place.channel_id or await self.directory.dm_channel(
            client=self.client, team=event.actor.workspace, user=event.actor.user_id
        )
        if reply.stale:  # "Already recorded": for the clicker's eyes only, and gone on reload, even in a DM
            await self.client.chat_postEphemeral(
                channel=channel, user=event.actor.user_id, thread_ts=thread_ts, **payload
            )
            return
        try:
            await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)
        except SlackApiError as exc:
            if self.later is None or not _for_now(exc):
                raise
            log.info("Slack refused a reply for now (%s): it goes through the outbox", error_of(exc))
            address = {"team": event.actor.workspace, "user": event.actor.user_id, "channel": channel}
            await self.later(address, reply.message, self.key, thread_ts)

    @staticmethod
    def _thread(event: Event, reply: Reply) -> str | None:
        if reply.in_thread:
            message_id = event.message_id if isinstance(event, Said) else None
            return event.place.thread_id or message_id
        return event.place.thread_id

    async def publish_home(self, event: Opened, messages: list[Message]) -> None:
        try:
            await self.client.views_publish(user_id=event.actor.user_id, view=render_home(messages))
        except SlackApiError as exc:
            log.warning("views.publish failed: %s", error_of(exc))
