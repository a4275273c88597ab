"""Outbox sender for Teams: proactive messages through a stored ConversationReference.

A reference is the only way to reach a Teams user proactively; the connector answers 403/404 when the
app was uninstalled or the conversation is gone, and that becomes `Unreachable` (shown to admins). A team
member met only in a roster has an address with no conversation id (`directory.roster_address`): the first
message creates the 1:1 conversation (CreateConversation, one request against the tenant's limit) and the
address with its id comes back in `Sent.address`, stored, so it is created once (Teams gives the same id
again if a crash loses it).
429, 412 and 5xx become `RetryLater`, honouring Retry-After; otherwise the outbox backs off with jitter.
Every send waits for its conversation's windows and its tenant's shared pace (`throttle.py`); a 429
holds the conversation or pauses the tenant for every process, never the other tenants' rows.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import aiohttp
import requests
from botbuilder.core import BotAdapter, CloudAdapterBase, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import HttpOperationError

from adapters.teams.connector_http import ConnectorError
from adapters.teams.render import CARD_CONTENT_TYPE, Card, render_message
from adapters.teams.throttle import ConversationThrottle
from bot.messages import Message
from bot.outbox.pace import retry_after_seconds
from bot.ports import Outgoing, PermanentFailure, RetryLater, Sent, Unreachable

log = logging.getLogger(__name__)

RETRYABLE = {412, 429, 500, 502, 503, 504}
MAX_CREATED_REMEMBERED = 10_000
GONE = {403, 404}


def card_activity(card: Card, *, summary: str) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=summary[:150],
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
    )


def message_activity(message: Message) -> Activity:
    return card_activity(render_message(message), summary=message.summary)


def reference_from_address(address: Mapping[str, Any]) -> ConversationReference:
    reference = ConversationReference().deserialize(dict(address))
    conversation = address.get("conversation") or {}
    if reference.conversation is not None and conversation.get("tenantId"):
        reference.conversation.tenant_id = conversation["tenantId"]  # botbuilder maps it to "tenantID"
    return reference


def _refusal(exc: Exception) -> tuple[int, str | None] | None:
    """(status, Retry-After) of a refused connector call: ours over aiohttp, or botbuilder's client's (its
    ErrorResponseException, or the HttpOperationError its members operations raise)."""
    if isinstance(exc, ConnectorError):
        return exc.status, exc.retry_after
    if isinstance(exc, HttpOperationError):
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None) or {}
        return int(getattr(response, "status_code", 0) or 0), headers.get("Retry-After")
    return None


def _status(exc: Exception) -> int:
    refusal = _refusal(exc)
    return refusal[0] if refusal else 0


def classify(exc: Exception) -> Exception:
    """The outbox's view of a failed connector call."""
    refusal = _refusal(exc)
    if refusal is not None:
        status, retry_after = refusal
        if status in GONE:
            return Unreachable(f"Teams answered {status}: the app is not installed for this conversation")
        if status in RETRYABLE:
            after = retry_after_seconds(retry_after) if retry_after is not None else None  # capped
            return RetryLater(f"Teams answered {status}", after_seconds=after, throttled=status == 429)
        return PermanentFailure(f"Teams answered {status}")
    if isinstance(exc, requests.RequestException | aiohttp.ClientError | OSError | PermissionError):
        return RetryLater(f"{type(exc).__name__}: {exc}")
    return exc


class TeamsSender:
    platform = "teams"

    def __init__(self, *, adapter: CloudAdapterBase, app_id: str, throttle: ConversationThrottle) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.throttle = throttle
        # Conversations created whose first send was refused (a 429): the retry uses them, not another
        # create. Bounded; a restart forgets them (Teams gives the same id again).
        self._created: OrderedDict[str, str] = OrderedDict()

    async def send(self, outgoing: Outgoing) -> Sent:
        reference = reference_from_address(outgoing.address)
        member = reference.user.id if reference.user is not None else None
        creating = bool(reference.conversation is not None and not reference.conversation.id and member)
        if creating and reference.conversation is not None:
            # Its windows are "new:…" until Teams gives the real id.
            reference.conversation.id = self._created.get(str(member), f"new:{member}")
        if not reference.service_url or reference.conversation is None or not reference.conversation.id:
            raise Unreachable("no Teams conversation is stored for this address")
        base_id = reference.conversation.id.split(";messageid=")[0]
        if outgoing.thread_id:
            reference.conversation.id = f"{base_id};messageid={outgoing.thread_id}"
        tenant = reference.conversation.tenant_id
        activity = message_activity(outgoing.message)
        sent: dict[str, str] = {}

        failures: list[Exception] = []

        async def callback(context: TurnContext) -> None:
            # The adapter's turn-error handler would swallow this: keep it for the outbox to classify.
            nonlocal base_id
            try:
                if creating:
                    if base_id.startswith("new:"):
                        base_id = await self._create(context, reference, tenant)
                        self._remember(str(member), base_id)
                    sent["conversation"] = context.activity.conversation.id = base_id
                # A slot is taken here, with the connector client (and its token) ready, so the request
                # reaches Teams right after: taken earlier, a first token fetch could bunch them up.
                async with self.throttle.slot(base_id, tenant):
                    if outgoing.update_message_id:
                        activity.id = outgoing.update_message_id
                        await context.update_activity(activity)
                        sent["id"] = outgoing.update_message_id
                    else:
                        response = await context.send_activity(activity)
                        sent["id"] = response.id if response and response.id else ""
            except Exception as exc:
                failures.append(exc)

        try:
            await self.adapter.continue_conversation(reference, callback, bot_app_id=self.app_id)
            if failures:
                raise failures[0]
        except Exception as exc:
            mapped = classify(exc)
            if mapped is exc:
                raise
            if isinstance(mapped, RetryLater) and mapped.throttled:
                # The throttle holds what was refused (the conversation, or the tenant on the shared
                # pace): the dispatcher need not leave every Teams row, other tenants' included.
                await self.throttle.refused(base_id, tenant, mapped.after_seconds)
                mapped.conversation_only = True
            if outgoing.update_message_id and isinstance(mapped, Unreachable) and _status(exc) == 404:
                # The message to update is gone (deleted): the person can still be reached.
                raise PermanentFailure("Teams answered 404: the message to update is gone") from exc
            raise mapped from exc
        is_channel = (reference.conversation.conversation_type or "") == "channel"
        thread = outgoing.thread_id or (sent["id"] if is_channel and sent["id"] else None)
        learned = None
        if "conversation" in sent:
            conversation = {**(outgoing.address.get("conversation") or {}), "id": sent["conversation"]}
            learned = {**outgoing.address, "conversation": conversation}
            self._created.pop(str(member), None)  # stored with the identity from now on
        return Sent(message_id=sent["id"], thread_id=thread, address=learned)

    def _remember(self, member: str, conversation_id: str) -> None:
        self._created[member] = conversation_id
        while len(self._created) > MAX_CREATED_REMEMBERED:
            self._created.popitem(last=False)

    async def _create(
        self, context: TurnContext, reference: ConversationReference, tenant: str | None
    ) -> str:
        """CreateConversation with one team member (paced as one request in the tenant): its id."""
        assert reference.user is not None
        parameters = ConversationParameters(
            is_group=False,
            bot=reference.bot,
            members=[ChannelAccount(id=reference.user.id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )
        client = context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]
        async with self.throttle.slot(f"new:{reference.user.id}", tenant):
            created = await client.conversations.create_conversation(parameters)
        if not created or not created.id:
            raise RetryLater("Teams created no conversation")
        return str(created.id)
