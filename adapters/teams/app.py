"""POST /api/messages: botbuilder's CloudAdapter on the shared aiohttp app, and a bot that only translates.

The HTTP handler is ours, not `CloudAdapter.process`, because of three defects in botbuilder 4.17.1:
bad tokens surface as arbitrary exceptions (the stock handler answers 500, we answer 401 while key
fetch failures stay 503 so the channel retries); `process` serialises invoke bodies twice (we return
the body from `process_activity` ourselves); and credentials are rebuilt and tokens fetched on the
event loop every turn (see `credentials.py`; inbound validation also runs on a loop in a thread of its own, as the
SDK fetches signing keys with blocking `requests`).
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import json
import logging
import secrets
import threading
from collections.abc import Mapping
from typing import Any

import jwt
from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    JwtTokenExtractor,
)

from adapters.payload import as_id
from adapters.runtime import Runtime
from adapters.teams import translate as tr
from adapters.teams.connectors import PooledAuthentication
from adapters.teams.credentials import CachingCredentialsFactory, bot_framework_config, is_network_failure
from adapters.teams.directory import ChannelMembers
from adapters.teams.profiles import MemberEmails
from adapters.teams.render import attachment, render_form, render_message, render_message_parts
from adapters.teams.sender import TeamsSender, card_activity, classify
from adapters.teams.throttle import ConversationThrottle
from bot.channels import service as channels
from bot.events import Clicked, Event, Submitted
from bot.inbound import BadJson, loads
from bot.markdown import plain_text
from bot.messages import OPEN_FORM, Form, Message, Reply, Text
from bot.metrics import THROTTLED
from bot.ports import RetryLater

log = logging.getLogger(__name__)
REPLY_PATIENCE = 5.0  # seconds a reply in a turn may wait for the conversation's limits
# A card action's invoke is answered only after its replies are sent, and Teams shows the card as failed
# after a few seconds: its replies wait for no refusal or pause (the throttle's own short waits aside),
# they go through the outbox instead.
CARD_ACTION_PATIENCE = 0.0

_RAW: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("teams_raw_activity")
FORM_INVOKES = {"adaptiveCard/action", "composeExtension/fetchTask", "composeExtension/submitAction"}
SUBMITTED_NOTE = Message(summary="Sent", blocks=(Text("_Sent._"),))


def mount(app: web.Application, runtime: Runtime) -> None:
    """Serve Teams at POST /api/messages and register the outbox sender. Without TEAMS_APP_ID (local
    trials only) inbound tokens are not checked and replies carry no token."""
    settings = runtime.settings
    config = bot_framework_config(settings)
    credentials = CachingCredentialsFactory(config)
    auth = PooledAuthentication(
        ConfigurationBotFrameworkAuthentication(config, credentials_factory=credentials)
    )
    adapter = CloudAdapter(auth)
    adapter.on_turn_error = _on_turn_error
    # One throttle: replies in a turn, card actions' replies, proactive sends and roster pages count
    # together; its tenant quotas are on the shared pace, so every process counts together too.
    throttle = ConversationThrottle(pacer=runtime.pacer, scale=settings.quota_scale)
    bot = TeamsBot(runtime, throttle=throttle)
    runtime.dispatcher.senders["teams"] = TeamsSender(
        adapter=adapter, app_id=settings.teams_app_id or "", throttle=throttle
    )

    async def places(workspace: str) -> list[Mapping[str, Any]]:
        known = await runtime.store.run(
            lambda s: channels.known(session=s, platform="teams", workspace=workspace)
        )
        return list(known.values())

    runtime.directories["teams"] = ChannelMembers(
        adapter=adapter, app_id=settings.teams_app_id or "", throttle=throttle, places=places
    )
    metadata_url = (
        settings.teams_openid_metadata_url or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    )
    app.router.add_post("/api/messages", _handler(adapter, auth, bot, metadata_url))

    async def close_connections(_app: web.Application) -> None:
        await auth.pool.close()

    app.on_cleanup.append(close_connections)


def _handler(  # type: ignore[no-untyped-def]
    adapter: CloudAdapter, auth: BotFrameworkAuthentication, bot: TeamsBot, metadata_url: str
):
    async def messages(request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415, text="expected application/json")
        try:  # before authentication, so cheap and bounded: a hostile body gets a 400, not a 500
            body = loads(await request.read())
        except BadJson as exc:
            return web.Response(status=400, text=f"malformed JSON: {exc.reason}")
        if not isinstance(body, dict):
            return web.Response(status=400, text="expected an activity")
        try:
            activity = Activity().deserialize(body)
        except Exception:
            return web.Response(status=400, text="malformed activity")
        if not activity.type:
            return web.Response(status=400, text="activity has no type")
        header = request.headers.get("Authorization") or None
        try:
            authenticated = await _authenticate(auth, activity, header, metadata_url)
        except Exception as exc:
            if is_network_failure(exc):
                log.warning("Teams signing keys could not be fetched: %s", type(exc).__name__)
                return web.Response(status=503, text="signing keys unavailable, retry later")
            log.info("Teams request refused: %s: %s", type(exc).__name__, exc)
            return web.Response(status=401, text="unauthorized")
        token = _RAW.set(body)
        try:
            invoke = await adapter.process_activity(authenticated, activity, bot.on_turn)
        finally:
            _RAW.reset(token)
        if invoke is None:
            return web.Response(status=200 if activity.type == "invoke" else 201)
        payload = invoke.body
        if hasattr(payload, "serialize"):
            payload = payload.serialize()
        if payload is None:
            return web.Response(status=invoke.status)
        return web.json_response(payload, status=invoke.status)

    return messages


async def _authenticate(
    auth: BotFrameworkAuthentication, activity: Activity, header: str | None, metadata_url: str
) -> AuthenticateRequestResult:
    # The SDK validates with blocking `requests` calls (OpenID metadata, keys): keep them off the loop.
    async def validate() -> AuthenticateRequestResult:
        result: AuthenticateRequestResult = await auth.authenticate_request(activity, header)
        if header:
            await _require_endorsement(header, activity.channel_id or "", metadata_url)
        return result

    pending = asyncio.run_coroutine_threadsafe(validate(), _validation_loop())
    result: AuthenticateRequestResult = await asyncio.wrap_future(pending)
    if result is None or result.claims_identity is None or not result.claims_identity.is_authenticated:
        raise PermissionError("not authenticated")
    return result


_VALIDATION: list[asyncio.AbstractEventLoop] = []
_VALIDATION_LOCK = threading.Lock()


def _validation_loop() -> asyncio.AbstractEventLoop:
    """One event loop in a thread of its own for every inbound token check, kept for the process: a new
    loop per request (`asyncio.run` in a worker) cost more than the check. The SDK's blocking fetches of
    keys (hours apart, cached) hold this loop, not the server's."""
    with _VALIDATION_LOCK:
        if not _VALIDATION:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="teams-token-checks", daemon=True).start()
            _VALIDATION.append(loop)
        return _VALIDATION[0]


async def _require_endorsement(header: str, channel_id: str, metadata_url: str) -> None:
    """The SDK skips the endorsement check when a key lists none; a key must endorse the channel."""
    token = header.partition(" ")[2]
    kid = jwt.get_unverified_header(token).get("kid")
    key = await JwtTokenExtractor.get_open_id_metadata(metadata_url).get(kid)
    if key is None or channel_id not in (key.endorsements or []):
        raise PermissionError(f"signing key is not endorsed for {channel_id!r}")


async def _on_turn_error(context: TurnContext, error: Exception) -> None:
    reference = secrets.token_hex(4)
    log.error("Teams turn failed [ref %s]", reference, exc_info=error)


class TeamsBot(TeamsActivityHandler):  # type: ignore[misc]
    """Translates activities into events, asks the engine, and sends its replies in this turn."""

    def __init__(self, runtime: Runtime, *, throttle: ConversationThrottle | None = None) -> None:
        self.runtime = runtime
        # Not `throttle or …`: a throttle with no open window has len() 0, and would be replaced by a
        # second one, so that replies and proactive sends stopped sharing Teams' limits.
        self.throttle = throttle if throttle is not None else ConversationThrottle()
        self.emails = MemberEmails()

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await self._turn(turn_context)

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        raw = _raw(turn_context)
        for user_id, where in tr.removed_members(raw):
            await self.runtime.engine.account_signal(
                platform="teams",
                workspace=tr.tenant_id(raw),
                user_id=user_id,
                signal="removed_from_team",
                detail=f"They were removed from {where}.",
                confirmed=False,
                event_id=f"removed:{user_id}:{raw['id']}" if as_id(raw.get("id")) else None,
            )
        await self._turn(turn_context)

    async def on_installation_update(self, turn_context: TurnContext) -> None:
        await self._turn(turn_context)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name not in FORM_INVOKES:
            response: InvokeResponse = await super().on_invoke_activity(turn_context)
            return response
        event = tr.translate(_raw(turn_context))
        if event is None:
            return InvokeResponse(status=200, body={})
        event = await self.emails.with_email(turn_context, event, ask=False)
        replies = await self.runtime.engine.handle(event)
        if turn_context.activity.name == "adaptiveCard/action":
            return await self._universal_action(turn_context, event, replies)
        return await self._task_module(turn_context, event, replies)

    async def _turn(self, turn_context: TurnContext) -> None:
        event = tr.translate(_raw(turn_context))
        if event is None:
            return
        event = await self.emails.with_email(turn_context, event)
        replies = await self.runtime.engine.handle(event)
        source = turn_context.activity.reply_to_id
        updated = False
        for n, reply in enumerate(replies):
            if reply.form_errors is not None and isinstance(event, Submitted):
                form = await self._form_with_errors(event, reply.form_errors)
                await self._post_or_update(
                    turn_context, render_form(form, values=event.values), form.title, source
                )
            elif reply.form is not None:
                await self._post_or_update(turn_context, render_form(reply.form), reply.form.title, None)
            elif reply.message is not None and reply.stale and updated:
                continue  # Teams shows nothing privately: the card updated in this turn says it
            elif reply.message is not None:
                # A dialog has no place to open from a card's button here: it is a reply (in the thread).
                target = source if reply.replace_source and isinstance(event, Clicked) else None
                updated = await self._post_message(turn_context, reply.message, n, target) or updated
        if isinstance(event, Submitted) and source and not any(r.form_errors is not None for r in replies):
            # The form card stays in the chat: turn it into a note so it cannot be sent twice.
            await self._post_or_update(turn_context, render_message(SUBMITTED_NOTE), "Sent", source)

    async def _post_message(
        self,
        turn_context: TurnContext,
        message: Message,
        n: int,
        target: str | None,
        patience: float | None = None,
    ) -> bool:
        """Each card of the `n`th reply posted (the first in place of `target`, if given); refused for now
        (429 or 5xx), it goes through the outbox. True when `target` was updated."""
        updated = False
        for card in render_message_parts(message):
            try:
                await self._post_or_update(turn_context, card, message.summary, target, patience)
            except Exception as exc:
                if target is not None or not isinstance(classify(exc), RetryLater):
                    raise
                await self._send_later(turn_context, message, n)  # the whole message
                break
            updated = updated or target is not None
            target = None
        return updated

    async def _post_or_update(
        self,
        turn_context: TurnContext,
        card: dict[str, Any],
        summary: str,
        message_id: str | None,
        patience: float | None = None,
    ) -> None:
        activity = card_activity(card, summary=summary)
        if message_id:
            activity.id = message_id
        conversation = (turn_context.activity.conversation.id or "").split(";messageid=")[0]
        # botbuilder reads `tenantID`, Teams sends `tenantId`: its own field is empty, and every tenant's
        # replies would share one tenant's window (40/s for the whole coach).
        tenant = tr.tenant_id(_raw(turn_context)) or None
        for attempt in (1, 2):
            taken = await self._room_for_one_more(conversation, tenant, patience)
            try:
                try:
                    if message_id:
                        await turn_context.update_activity(activity)
                    else:
                        await turn_context.send_activity(activity)
                finally:
                    self.throttle.settled(conversation, tenant, taken)
                return
            except Exception as exc:
                mapped = classify(exc)
                if isinstance(mapped, RetryLater) and mapped.throttled:
                    THROTTLED.labels("teams", "reply").inc()
                    await self.throttle.refused(conversation, tenant, mapped.after_seconds)
                if attempt == 2 or not isinstance(mapped, RetryLater):
                    raise
                # The person is waiting for this answer: wait out a short Retry-After, once.
                await asyncio.sleep(min(mapped.after_seconds or 1.0, _patience(patience)))

    async def _send_later(self, turn_context: TurnContext, message: Message, n: int) -> None:
        """Teams refused a reply for now (429 or 5xx, twice): it goes through the outbox instead of being
        dropped, keyed by the activity it answers, so a redelivered activity queues nothing twice."""
        raw = _raw(turn_context)
        log.info("Teams refused a reply for now: it goes through the outbox")
        await self.runtime.engine.send_later(
            platform="teams",
            address=tr.conversation_reference(raw),
            message=message,
            key=f"reply:teams:{tr.tenant_id(raw)}:{as_id(raw.get('id')) or secrets.token_hex(8)}:{n}",
            thread_id=None,
        )

    async def _room_for_one_more(
        self, conversation: str, tenant: str | None, patience: float | None = None
    ) -> float:
        """Replies share the conversation's and the tenant's limits with proactive sends; a reply
        waits its turn (briefly) rather than being refused with a 429."""
        try:
            return await self.throttle.acquire(conversation, tenant)
        except RetryLater as wait:
            await asyncio.sleep(min(wait.after_seconds or 1.0, _patience(patience)))
            return await self.throttle.acquire(conversation, tenant)

    async def _form_with_errors(self, event: Submitted, errors: dict[str, str] | Any) -> Form:
        """The submitted form again, rebuilt by its flow, with the errors beside its fields."""
        opened = await self.runtime.engine.handle(
            Clicked(
                actor=event.actor,
                place=event.place,
                action_id=OPEN_FORM,
                value=f"{event.form_id}|{event.context}",
            )
        )
        form = next((r.form for r in opened if r.form is not None), None)
        if form is None:
            form = Form(
                form_id=event.form_id, title="Please check your answers", fields=(), context=event.context
            )
        return dataclasses.replace(form, errors=dict(errors))

    async def _universal_action(
        self, turn_context: TurnContext, event: Event, replies: list[Reply]
    ) -> InvokeResponse:
        card: dict[str, Any] | None = None
        for n, reply in enumerate(replies):
            if reply.form_errors is not None and isinstance(event, Submitted):
                card = render_form(
                    await self._form_with_errors(event, reply.form_errors), values=event.values
                )
            elif reply.form is not None:
                card = render_form(reply.form)
            elif reply.message is not None and reply.replace_source and card is None:
                card = render_message(reply.message)
            elif reply.message is not None and reply.stale and card is not None:
                continue  # the card this invoke answers with says it
            elif reply.message is not None:  # paced like every other send (the card above is the answer)
                await self._post_message(turn_context, reply.message, n, None, CARD_ACTION_PATIENCE)
        if card is None:
            return InvokeResponse(
                status=200,
                body={
                    "statusCode": 200,
                    "type": "application/vnd.microsoft.activity.message",
                    "value": "Done",
                },
            )
        return InvokeResponse(
            status=200,
            body={"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": card},
        )

    async def _task_module(
        self, turn_context: TurnContext, event: Event, replies: list[Reply]
    ) -> InvokeResponse:
        for reply in replies:
            form = reply.form
            if reply.form_errors is not None and isinstance(event, Submitted):
                form = await self._form_with_errors(event, reply.form_errors)
            if form is not None:
                values = event.values if isinstance(event, Submitted) else None
                value = {"title": form.title, "card": attachment(render_form(form, values=values))}
                return InvokeResponse(status=200, body={"task": {"type": "continue", "value": value}})
        texts = [_plain(r.message) for r in replies if r.message is not None]
        if not texts:
            return InvokeResponse(status=200, body={})
        return InvokeResponse(
            status=200, body={"task": {"type": "message", "value": "\n".join(texts)[:1000]}}
        )


def _patience(given: float | None) -> float:
    return REPLY_PATIENCE if given is None else given  # read at the call: tests shorten it


def _plain(message: Message) -> str:
    parts = [plain_text(b.markdown) for b in message.blocks if isinstance(b, Text)]
    return "\n".join(parts) or message.summary


def _raw(turn_context: TurnContext) -> dict[str, Any]:
    """The activity as it arrived on the wire (botbuilder's own serialisation renames some keys)."""
    raw = _RAW.get(None)
    if raw is not None and raw.get("id") == turn_context.activity.id:
        return raw
    serialized: dict[str, Any] = json.loads(json.dumps(turn_context.activity.serialize()))
    return serialized
