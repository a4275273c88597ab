"""The outbox's Slack sender: posts, threads and updates messages through the Web API.

Slack's answers map onto the dispatcher's vocabulary: 429 -> RetryLater(Retry-After), a dead token ->
PermanentFailure, a person or channel Slack cannot reach -> Unreachable. chat.postMessage is paced
to about one per second per channel (Slack's documented limit). Each post carries its idempotency
key in message metadata; a retried row (Delivery.attempt > 1) is first looked for in the channel's
recent history (conversations.history include_all_metadata) so a crash between send and mark-sent
does not repeat the message.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.directory import Directory
from adapters.slack.render import render_message
from bot.messages import Image
from bot.ports import Delivery, PermanentFailure, RetryLater, Sent, Unreachable

log = logging.getLogger(__name__)

METADATA_EVENT = "coach_outbox"
LOOK_BACK = 50  # messages searched for an earlier post of a retried row
QUIET_SECONDS = 60.0  # a channel quiet this long is forgotten by the pacing
PERMANENT = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "missing_scope",
     "invalid_blocks", "msg_too_long", "no_text", "invalid_arguments"}
)  # fmt: skip
UNREACHABLE = frozenset(
    {"channel_not_found", "user_not_found", "users_not_found", "is_archived", "cannot_dm_bot",
     "user_disabled", "not_in_channel", "restricted_action", "message_not_found", "cant_update_message"}
)  # fmt: skip


ClientFor = Callable[[str], Awaitable[AsyncWebClient]]  # workspace (team id) -> client with its token


class SlackSender:
    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient | None = None,
        *,
        client_for: ClientFor | None = None,
        directory: Directory | None = None,
        per_channel_interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._static = client
        self._session: Any = None
        if client_for is None:
            if client is None:
                raise ValueError("SlackSender needs a client or client_for")
            static = client

            async def client_for(_team: str) -> AsyncWebClient:
                return static

        self.client_for = client_for
        self.directory = directory or Directory()
        self.per_channel_interval = per_channel_interval
        self.monotonic = monotonic
        self._last_post: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._swept_at = monotonic()

    def use_session(self, session: Any) -> None:
        """Share the adapter's pooled aiohttp session (None: a connection per call again)."""
        self._session = session
        if self._static is not None:
            self._static.session = session

    async def send(self, delivery: Delivery) -> Sent:
        try:
            return await self._send(delivery)
        except SlackApiError as exc:
            raise _classify(exc) from exc

    async def _send(self, delivery: Delivery) -> Sent:
        client = await self.client_for(str(delivery.address.get("team") or ""))
        if self._session is not None and client.session is None:
            client.session = self._session
        channel = await self._channel(client, delivery.address)
        payload = render_message(delivery.message)
        if delivery.update_message_id:
            await client.chat_update(channel=channel, ts=delivery.update_message_id, **payload)
            return Sent(message_id=delivery.update_message_id, thread_id=delivery.thread_id)
        if delivery.attempt > 1:
            earlier = await self._already_posted(client, channel, delivery.idempotency_key)
            if earlier is not None:
                return Sent(message_id=earlier, thread_id=delivery.thread_id or earlier)
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            await self._pace(channel)
            response = await client.chat_postMessage(
                channel=channel,
                thread_ts=delivery.thread_id,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": delivery.idempotency_key}},
                **payload,
            )
            self._last_post[channel] = now = self.monotonic()
        if now - self._swept_at > QUIET_SECONDS:
            self._forget_quiet_channels(now)
        ts = str(response["ts"])
        await self._upload_images(client, channel, delivery)
        return Sent(message_id=ts, thread_id=delivery.thread_id or ts)

    async def _upload_images(self, client: AsyncWebClient, channel: str, delivery: Delivery) -> None:
        """A message's pictures (the weekly digest's chart), each as a file shared just after it.

        Block Kit shows images only from a public URL, which would need a reachable coach and break in
        old messages once it moves; an uploaded file is Slack's own (files_upload_v2: getUploadURLExternal,
        the upload, completeUploadExternal; scope files:write). The message is posted already, so a failed
        upload is logged and the picture left out rather than the message sent twice.
        """
        for block in delivery.message.blocks:
            if not isinstance(block, Image):
                continue
            try:
                await client.files_upload_v2(
                    channel=channel,
                    thread_ts=delivery.thread_id,
                    file=base64.b64decode(block.png),
                    filename=f"{block.title or 'chart'}.png".replace("/", "-"),
                    title=block.title or block.alt,
                    alt_txt=block.alt[:1000],
                )
            except SlackApiError as exc:
                log.warning(
                    "the picture of %s was not uploaded (%s); the message went without it",
                    delivery.idempotency_key,
                    exc.response.get("error") if exc.response is not None else exc,
                )

    async def _already_posted(self, client: AsyncWebClient, channel: str, key: str) -> str | None:
        """A retried row may have been posted before a crash: find it by the key in its metadata."""
        try:
            response = await client.conversations_history(
                channel=channel, limit=LOOK_BACK, include_all_metadata=True
            )
        except SlackApiError as exc:
            log.info("look-back skipped for %s: %s", channel, exc.response.get("error"))
            return None
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and (metadata.get("event_payload") or {}).get("key") == key
            ):
                return str(message["ts"])
        return None

    async def _channel(self, client: AsyncWebClient, address: Any) -> str:
        channel = address.get("channel")
        if channel:
            return str(channel)
        user, team = address.get("user"), address.get("team", "")
        if not user:
            raise PermanentFailure("the Slack address names neither a channel nor a user")
        return await self.directory.dm_channel(client=client, team=str(team), user=str(user))

    def _forget_quiet_channels(self, now: float) -> None:
        """Pacing needs memory of busy channels only; without this it would keep every DM ever sent."""
        for channel, last in list(self._last_post.items()):
            lock = self._locks.get(channel)
            if now - last > QUIET_SECONDS and (lock is None or not lock.locked()):
                del self._last_post[channel]
                self._locks.pop(channel, None)
        self._swept_at = now

    async def _pace(self, channel: str) -> None:
        last = self._last_post.get(channel)
        if last is not None:
            wait = self.per_channel_interval - (self.monotonic() - last)
            if wait > 0:
                await asyncio.sleep(wait)


def _classify(exc: SlackApiError) -> Exception:
    response = exc.response
    error = str(response.get("error") or "")
    if response.status_code == 429 or error == "ratelimited":
        after = _retry_after(response.headers)
        return RetryLater(f"Slack rate limit ({error or 429})", after_seconds=after, throttled=True)
    if response.status_code >= 500 or error in ("fatal_error", "internal_error", "service_unavailable"):
        return RetryLater(f"Slack unavailable ({response.status_code} {error})")
    if error in UNREACHABLE:
        return Unreachable(f"Slack: {error}")
    if error in PERMANENT:
        return PermanentFailure(f"Slack: {error}")
    return RetryLater(f"Slack: {error or response.status_code}")


def _retry_after(headers: Any) -> float | None:
    for name in ("Retry-After", "retry-after"):
        value = headers.get(name) if headers else None
        if value is not None:
            if isinstance(value, list):
                value = value[0]
            try:
                return float(value)
            except ValueError:
                return None
    return None
