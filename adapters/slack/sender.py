"""The outbox's Slack sender: posts, threads and updates messages through the Web API.

Slack's answers map onto the dispatcher's vocabulary: 429 -> RetryLater(Retry-After, throttled), a
dead token -> PermanentFailure, a person or channel Slack cannot reach -> Unreachable. Every call waits
for its moment under that method's quota in that workspace (`adapters/slack/quotas.py`, shared by all
processes through `bot.outbox.pace`); a 429 pauses the method for the workspace everywhere.
chat.postMessage is also paced to about one per second per channel, in this process.

A person's DM is posted to their user id (Slack delivers it to the app's DM), so nobody costs a Tier 3
conversations.open; the DM channel id Slack answers with comes back in `Sent.address`, and the coach
stores it on the person's identity. Each post carries its idempotency key in message metadata; a row
whose earlier try may have arrived (Outgoing.look_back: it timed out, or its process died) is first
looked for in the channel's recent history (conversations.history include_all_metadata). A look-back
that cannot be made is retried later, not skipped: skipping it would risk the double it guards against.
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
from adapters.slack.errors import error_of
from adapters.slack.quotas import POST_INTERVAL, quota
from adapters.slack.render import render_message
from bot.messages import Image
from bot.outbox.pace import Pacer, retry_after_seconds
from bot.ports import Outgoing, PermanentFailure, RetryLater, Sent, Unreachable

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
        pacer: Pacer | None = None,
        scale: float = 1.0,
        per_channel_interval: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.single_client = client  # the single-token client (None with per-workspace installs)
        self._session: Any = None
        if client_for is None:
            if client is None:
                raise ValueError("SlackSender needs a client or client_for")
            static = client

            async def client_for(_team: str) -> AsyncWebClient:
                return static

        self.client_for = client_for
        self.directory = directory or Directory()
        self.pacer = pacer or Pacer()
        self.scale = scale
        self.per_channel_interval = (
            per_channel_interval if per_channel_interval is not None else POST_INTERVAL / scale
        )
        self.monotonic = monotonic
        self._last_post: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._swept_at = monotonic()

    def use_session(self, session: Any) -> None:
        """Share the adapter's pooled aiohttp session (None: a connection per call again)."""
        self._session = session
        if self.single_client is not None:
            self.single_client.session = session

    async def send(self, outgoing: Outgoing) -> Sent:
        team = str(outgoing.address.get("team") or "")
        try:
            return await self._send(team, outgoing)
        except SlackApiError as exc:
            raise await self._classify(team, exc) from exc

    async def _send(self, team: str, outgoing: Outgoing) -> Sent:
        client = await self.client_for(team)
        if self._session is not None and client.session is None:
            client.session = self._session
        address = outgoing.address
        channel = address.get("channel")
        payload = render_message(outgoing.message)
        if outgoing.update_message_id:
            channel = channel or await self._dm_channel(client, team, address)
            await self._call(team, "chat.update")
            await client.chat_update(channel=channel, ts=outgoing.update_message_id, **payload)
            return Sent(message_id=outgoing.update_message_id, thread_id=outgoing.thread_id)
        if outgoing.look_back:
            earlier = await self._already_posted(client, team, address, outgoing.idempotency_key)
            if earlier is not None:
                return Sent(message_id=earlier, thread_id=outgoing.thread_id or earlier)
        target = str(channel or _user(address))
        lock = self._locks.setdefault(target, asyncio.Lock())
        async with lock:
            await self._pace(target)
            await self._call(team, "chat.postMessage")
            response = await client.chat_postMessage(
                channel=target,
                thread_ts=outgoing.thread_id,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": outgoing.idempotency_key}},
                **payload,
            )
            self._last_post[target] = now = self.monotonic()
        if now - self._swept_at > QUIET_SECONDS:
            self._forget_quiet_channels(now)
        ts = str(response["ts"])
        await self._upload_images(client, str(response.get("channel") or target), outgoing)
        learned = None
        if not channel and response.get("channel"):  # the DM's channel id: stored, for updates and look-backs
            dm = str(response["channel"])
            self.directory.remember_dm(team=team, user=_user(address), channel=dm)
            learned = {**address, "channel": dm}
        return Sent(message_id=ts, thread_id=outgoing.thread_id or ts, address=learned)

    async def _upload_images(self, client: AsyncWebClient, channel: str, outgoing: Outgoing) -> None:
        """A message's pictures (the weekly digest's chart), each as a file shared just after it.

        Block Kit shows images only from a public URL, which would need a reachable coach and break in
        old messages once it moves; an uploaded file is Slack's own (files_upload_v2: getUploadURLExternal,
        the upload, completeUploadExternal; scope files:write). The message is posted already, so a failed
        upload is logged and the picture left out rather than the message sent twice.
        """
        for block in outgoing.message.blocks:
            if not isinstance(block, Image):
                continue
            try:
                await client.files_upload_v2(
                    channel=channel,
                    thread_ts=outgoing.thread_id,
                    file=base64.b64decode(block.png),
                    filename=f"{block.title or 'chart'}.png".replace("/", "-"),
                    title=block.title or block.alt,
                    alt_txt=block.alt[:1000],
                )
            except SlackApiError as exc:
                log.warning(
                    "the picture of %s was not uploaded (%s); the message went without it",
                    outgoing.idempotency_key,
                    error_of(exc),
                )

    async def _call(self, team: str, method: str) -> None:
        await self.pacer.acquire(quota(team, method, scale=self.scale))

    async def _classify(self, team: str, exc: SlackApiError) -> Exception:
        refusal = _classify(exc)
        if isinstance(refusal, RetryLater) and refusal.throttled:
            method = _method_of(exc)
            pause = await self.pacer.refused(quota(team, method, scale=self.scale), refusal.after_seconds)
            refusal.after_seconds = pause
        return refusal

    async def _already_posted(self, client: AsyncWebClient, team: str, address: Any, key: str) -> str | None:
        """A row whose earlier try may have arrived: find it by the key in its metadata. A look-back that
        cannot be made raises RetryLater (through `send`), so the row waits instead of risking a double."""
        channel = address.get("channel")
        if not channel:
            known = self.directory.known_dm(team=team, user=_user(address))
            if known is None:  # never posted to this person from here: open (or find) the DM once
                known = await self._dm_channel(client, team, address)
            channel = known
        await self._call(team, "conversations.history")
        response = await client.conversations_history(
            channel=channel, limit=LOOK_BACK, include_all_metadata=True
        )
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and (metadata.get("event_payload") or {}).get("key") == key
            ):
                return str(message["ts"])
        return None

    async def _dm_channel(self, client: AsyncWebClient, team: str, address: Any) -> str:
        known = self.directory.known_dm(team=team, user=_user(address))
        if known is not None:
            return known
        await self._call(team, "conversations.open")
        return await self.directory.dm_channel(client=client, team=team, user=_user(address))

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


def _user(address: Any) -> str:
    user = address.get("user")
    if not user:
        raise PermanentFailure("the Slack address names neither a channel nor a user")
    return str(user)


def _method_of(exc: SlackApiError) -> str:
    """The Web API method a refused call was to (slack_sdk keeps the URL on the response)."""
    url = str(getattr(exc.response, "api_url", "") or "")
    return url.rstrip("/").rsplit("/", 1)[-1] or "chat.postMessage"


def _classify(exc: SlackApiError) -> Exception:
    response = exc.response
    error = error_of(exc)
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
            return retry_after_seconds(value)
    return None
