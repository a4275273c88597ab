"""The slack-bolt AsyncApp on the shared aiohttp server at POST /slack/events.

Bolt verifies signatures (never disabled), answers url_verification and acks; listener middleware
acks and translates the payload into a neutral event, which listeners hand to the engine with where
to deliver its replies, after the ack except for modal submissions (whose ack carries the field
errors). Payload shapes are checked in `shape.py`, Web API clients (on SLACK_API_URL) made in `clients.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.runtime import Runtime
from adapters.slack import parking
from adapters.slack.after_ack import AfterAck
from adapters.slack.bolt_app import bolt_app
from adapters.slack.clients import api_client, with_slash
from adapters.slack.directory import ChannelMembers, Directory
from adapters.slack.errors import error_of
from adapters.slack.form_button import prefill_of
from adapters.slack.inbound import MAX_BODY_BYTES, RefusedRequests, bounded_body
from adapters.slack.render import render_errors, render_form
from adapters.slack.replies import Surface, show_replies
from adapters.slack.sender import SlackSender
from adapters.slack.shape import readable_request
from adapters.slack.translate import translate, with_message_link, with_profile
from adapters.web.stopping import STOPPING
from bot.events import Event, Submitted
from bot.messages import Message, Reply
from bot.metrics import APP_RATE_LIMITED
from bot.ports import PermanentFailure

log = logging.getLogger(__name__)

PATH = "/slack/events"
COMMAND = "/coach"
EVENTS = ("message", "app_mention", "app_home_opened")  # with REMOVALS, the manifest subscribes exactly these
REMOVALS = ("app_uninstalled", "tokens_revoked")  # the coach was removed from a workspace
PEOPLE = ("user_change",)  # someone's account changed: a deactivation is someone who left
ANY = re.compile(".*")
EVENT_IN = "coach_event"  # Bolt context key: the neutral event the payload translates to, or None


class SlackAdapter:
    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        self.runtime = runtime
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
        self.oauth = bool(settings.slack_client_id and settings.slack_client_secret)
        self.client = api_client(
            token=None if self.oauth else token, base_url=settings.slack_api_url, retry_rate_limits=True
        )
        self.directory = Directory()
        self.after_ack = AfterAck(park=self._park)
        self.refused = RefusedRequests()
        self.installations: Any = None  # the OAuth installation store, when installs are per workspace
        self._home_team: str | None = None
        oauth_settings, client_for = self._oauth() if self.oauth else (None, None)
        if client_for is None:
            sender_client = api_client(token=token, base_url=settings.slack_api_url, retry_rate_limits=False)
            self.sender = SlackSender(
                sender_client, directory=self.directory, pacer=runtime.pacer, scale=settings.quota_scale
            )
        else:
            self.sender = SlackSender(
                client_for=client_for,
                directory=self.directory,
                pacer=runtime.pacer,
                scale=settings.quota_scale,
            )
        self.bolt = bolt_app(
            client=self.client,
            signing_secret=secret or "",
            # Only Socket Mode runs without a secret, and then the HTTP route is not mounted at all.
            request_verification_enabled=bool(secret),
            process_before_response=False,
            raise_error_for_unhandled_request=False,
            oauth_settings=oauth_settings,
            # Bolt's loggers copy the root's level unless given a base logger; this one is kept at
            # WARNING (adapters/cli/common.py) because Bolt logs every refused request with its body.
            logger=logging.getLogger("slack_bolt"),
        )
        self._register()

    def use_session(self, session: aiohttp.ClientSession | None) -> None:
        self.client.session = session
        self.sender.use_session(session)

    async def home_team(self) -> str | None:
        """The workspace of the single bot token (auth.test, asked once); None with per-workspace installs,
        whose workspaces are those the coach has met."""
        if self.oauth or self.sender.single_client is None:
            return None
        if self._home_team is None:
            try:
                response = await self.sender.single_client.auth_test()
            except SlackApiError as exc:
                log.warning("auth.test failed: %s", error_of(exc))
                return None
            self._home_team = str(response.get("team_id") or "") or None
        return self._home_team

    def _oauth(self) -> tuple[Any, Any]:
        from adapters.slack.manifest import SCOPES
        from adapters.slack.oauth import REDIRECT_PATH, BotClients, authorize_url, oauth_settings, rotator

        settings = self.runtime.settings
        assert settings.slack_client_id and settings.slack_client_secret
        secret = settings.slack_client_secret.get_secret_value()
        redirect_uri = settings.public_link(REDIRECT_PATH)
        assert redirect_uri is not None  # settings refuse OAuth without COACH_PUBLIC_URL
        oauth, installations = oauth_settings(
            client_id=settings.slack_client_id,
            client_secret=secret,
            scopes=list(SCOPES),
            store=self.runtime.store,
            clock=self.runtime.clock,
            authorization_url=settings.slack_authorize_url or authorize_url(settings.slack_api_url),
            redirect_uri=redirect_uri,
            client=self.client,
        )
        self.installations = installations
        clients = BotClients(
            installations=installations,
            base_url=with_slash(settings.slack_api_url),
            rotator=rotator(client_id=settings.slack_client_id, client_secret=secret, client=self.client),
        )
        return oauth, clients

    async def install(self, request: web.Request) -> web.Response:
        """GET /slack/install: Bolt's "Add to Slack" page (sets the OAuth state cookie)."""
        assert self.bolt.oauth_flow is not None
        bolt_response = await self.bolt.oauth_flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def oauth_redirect(self, request: web.Request) -> web.Response:
        """GET /slack/oauth_redirect: Bolt checks the state, calls oauth.v2.access, stores the install."""
        assert self.bolt.oauth_flow is not None
        bolt_response = await self.bolt.oauth_flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    def _register(self) -> None:
        """What the conversation listeners share is listener middleware: a click, a command or a shortcut
        is acknowledged first (its trigger_id lasts 3 s), then translated; a message is acknowledged by
        Bolt and translated; a modal submission is translated and acknowledged by its listener, as its ack
        carries the field errors. The listener finds the neutral event in the context (`EVENT_IN`)."""
        self.bolt.middleware(self._app_rate_limited)
        translated: Any = [self._translated]
        acked: Any = [self._acked_then_translated]
        for name in EVENTS:
            self.bolt.event(name, middleware=translated)(self._on_event)
        for name in REMOVALS:
            self.bolt.event(name)(self._on_removed)
        for name in PEOPLE:
            self.bolt.event(name)(self._on_user_change)
        self.bolt.command(COMMAND, middleware=acked)(self._on_command)
        self.bolt.action(ANY, middleware=acked)(self._on_action)
        self.bolt.shortcut(ANY, middleware=acked)(self._on_shortcut)
        self.bolt.view_submission(ANY, middleware=translated)(self._on_submission)

    async def handle(self, request: web.Request) -> web.Response:
        body = await bounded_body(request)
        if body is None:
            error = {"error": f"request body over {MAX_BODY_BYTES} bytes"}
            return web.json_response(error, status=web.HTTPRequestEntityTooLarge.status_code)
        # Bolt's own readers first (adapters/slack/shape.py): a payload it would choke on is a 400, not a 500.
        bolt_request = readable_request(body=body, query=request.query_string, headers=request.headers)
        if bolt_request is None:
            log.info("Slack request refused: a payload Bolt cannot read")
            return web.json_response({"error": "malformed payload"}, status=web.HTTPBadRequest.status_code)
        bolt_response = await self.bolt.async_dispatch(bolt_request)
        if bolt_response.status == web.HTTPUnauthorized.status_code:
            self.refused.note()
        return await to_aiohttp_response(bolt_response)

    # --- listeners (Bolt injects arguments by name) ---------------------------------------------

    async def _app_rate_limited(
        self, body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        """Slack stopped sending this workspace's events for a while (more than 30,000 an hour): say so
        loudly, count it (coach_app_rate_limited_total), tell the admins (once an hour: Slack repeats the
        event every minute it lasts), and acknowledge it."""
        if body.get("type") != "app_rate_limited":
            return await next()
        team = str(body.get("team_id") or "")
        APP_RATE_LIMITED.labels(team).inc()
        minute = body.get("minute_rate_limited")
        log.error(
            "Slack is dropping events of workspace %s (app_rate_limited since minute %s): people there get "
            "no answer until it lifts", team, minute,
        )  # fmt: skip
        started = minute if isinstance(minute, int) else int(time.time())
        try:
            await self.runtime.engine.workspace_rate_limited(
                platform="slack", workspace=team, window=str(started // 3600)
            )
        except Exception:  # the event is acknowledged whatever happens: Slack would only repeat it
            log.exception("telling the admins about app_rate_limited in workspace %s failed", team)
        return BoltResponse(status=200, body="")

    async def _translated(
        self, body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> None:
        context[EVENT_IN] = translate(body, bot_user_id=context.bot_user_id)
        await next()

    async def _acked_then_translated(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        next: Callable[[], Awaitable[None]],
    ) -> None:
        await ack()
        await self._translated(body, context, next)

    async def _on_event(self, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        self._later(context.get(EVENT_IN), Surface(), client, interactive=False)

    async def _on_removed(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """app_uninstalled, or tokens_revoked naming the bot's token: forget the token, stop sending there
        and tell admins. A revoked user token alone (the coach asks for none) changes nothing."""
        kind = str(event.get("type"))
        if kind == "tokens_revoked" and not (event.get("tokens") or {}).get("bot"):
            return
        team = str(body.get("team_id") or context.team_id or "")
        if self.installations is not None:
            await self.installations.async_delete_all(enterprise_id=context.enterprise_id, team_id=team)
        log.warning("Slack workspace %s removed the coach (%s)", team, kind)
        reason = "the app was uninstalled" if kind == "app_uninstalled" else "its bot token was revoked"
        await self.runtime.engine.workspace_removed(
            platform="slack", workspace=team, reason=reason, event_id=body.get("event_id")
        )

    async def _on_user_change(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """user_change fires on every profile edit in the workspace: only a deactivation (`deleted: true`)
        goes further, decided here without a database query or a Web API call."""
        user = event.get("user") or {}
        if not isinstance(user, dict) or user.get("deleted") is not True or user.get("is_bot"):
            return
        team = str(user.get("team_id") or body.get("team_id") or context.team_id or "")
        await self.runtime.engine.account_signal(
            platform="slack",
            workspace=team,
            user_id=str(user.get("id") or ""),
            signal="deactivated",
            detail="their Slack account was deactivated",
            confirmed=True,
            event_id=body.get("event_id"),
        )

    async def _on_command(
        self, body: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        surface = Surface(trigger_id=body.get("trigger_id"), respond=respond, respond_all=True)
        self._later(context.get(EVENT_IN), surface, client)

    async def _on_action(
        self, body: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        surface = Surface(
            trigger_id=body.get("trigger_id"),
            respond=respond,
            source_is_ephemeral=bool((body.get("container") or {}).get("is_ephemeral")),
            prefill=prefill_of(body),
        )
        self._later(context.get(EVENT_IN), surface, client)

    async def _on_shortcut(
        self, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        event = context.get(EVENT_IN)
        if event is not None and body.get("type") == "message_action":
            event = with_message_link(event, await _permalink(client, body))
        self._later(event, Surface(trigger_id=body.get("trigger_id")), client)

    async def _on_submission(self, ack: AsyncAck, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        event = context.get(EVENT_IN)
        if not isinstance(event, Submitted):
            await ack()
            return
        event = await self._enrich(event, client)
        replies = await self.runtime.engine.handle(event)
        errors = next((r.form_errors for r in replies if r.form_errors), None)
        next_form = next((r.form for r in replies if r.form is not None), None)
        if errors:
            await ack(**render_errors(errors))
        elif next_form is not None:
            await ack(response_action="update", view=render_form(next_form))
        else:
            await ack()
        rest = [
            Reply(message=r.message, ephemeral=r.ephemeral, stale=r.stale)
            for r in replies
            if r.message is not None
        ]
        await show_replies(
            event, rest, Surface(), client=client, directory=self.directory, later=self._send_later
        )

    # --- the turn -------------------------------------------------------------------------------

    def _later(
        self, event: Event | None, surface: Surface, client: AsyncWebClient, *, interactive: bool = True
    ) -> None:
        """The engine's turn and its replies, after the ack (adapters/slack/after_ack.py); None: nothing to do."""
        if event is None:
            return
        self.after_ack.submit(
            lambda: self._run(event, surface, client),
            interactive=interactive,
            parcel=parking.Parcel(event, surface, interactive),
        )

    async def _park(self, parcels: list[parking.Parcel]) -> None:
        await parking.park(store=self.runtime.store, clock=self.runtime.clock, parcels=parcels)

    async def replay_parked(self) -> int:
        """Handle the events a stopped process acknowledged but had not handled (see parking.py)."""
        taken = await parking.take(store=self.runtime.store)
        for item in taken:
            try:
                client = await self.sender.client_for(item.event.actor.workspace) if self.oauth else None
            except PermanentFailure as exc:
                log.warning("a parked Slack event was dropped: %s", exc)
                continue
            self._later(item.event, item.surface, client or self.client, interactive=item.interactive)
        if taken:
            log.info("handling %d Slack events parked by a stopped process", len(taken))
        return len(taken)

    async def _run(self, event: Event, surface: Surface, client: AsyncWebClient) -> None:
        event = await self._enrich(event, client)
        replies = await self.runtime.engine.handle(event)
        await show_replies(
            event, replies, surface, client=client, directory=self.directory, later=self._send_later
        )

    async def _send_later(
        self, address: dict[str, str], message: Message, key: str, thread_id: str | None
    ) -> None:
        await self.runtime.engine.send_later(
            platform="slack", address=address, message=message, key=key, thread_id=thread_id
        )

    async def _enrich(self, event: Event, client: AsyncWebClient) -> Event:
        actor = event.actor
        profile = await self.directory.profile(client=client, team=actor.workspace, user=actor.user_id)
        return with_profile(event, profile)


async def _permalink(client: AsyncWebClient, body: dict[str, Any]) -> str | None:
    channel = (body.get("channel") or {}).get("id")
    ts = body.get("message_ts") or (body.get("message") or {}).get("ts")
    if not channel or not ts:
        return None
    try:
        response = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as exc:
        log.warning("chat.getPermalink failed: %s", error_of(exc))
        return None
    link = response.get("permalink")
    return str(link) if link else None


SLACK = web.AppKey("slack", SlackAdapter)


def mount(app: web.Application, runtime: Runtime) -> None:
    """HTTP at POST /slack/events when a signing secret is set; Socket Mode when an app token is."""
    adapter = SlackAdapter(runtime)
    app[SLACK] = adapter
    settings = runtime.settings
    app.cleanup_ctx.append(_shared_session(adapter))
    app.cleanup_ctx.append(_after_ack(adapter))  # after the session: stopped (drained) before it closes
    app[STOPPING].watch(adapter.after_ack.pending)
    if settings.slack_signing_secret is not None and settings.slack_signing_secret.get_secret_value():
        app.router.add_post(PATH, adapter.handle)
        if adapter.oauth:
            from adapters.slack.oauth import INSTALL_PATH, REDIRECT_PATH

            app.router.add_get(INSTALL_PATH, adapter.install)
            app.router.add_get(REDIRECT_PATH, adapter.oauth_redirect)
    if settings.slack_app_token is not None and settings.slack_app_token.get_secret_value():
        app.cleanup_ctx.append(_socket_mode(adapter, settings.slack_app_token.get_secret_value()))
    runtime.dispatcher.senders["slack"] = adapter.sender
    runtime.directories["slack"] = ChannelMembers(
        directory=adapter.directory,
        client_for=adapter.sender.client_for,
        pacer=runtime.pacer,
        scale=settings.quota_scale,
        home_team=adapter.home_team,
    )


def _shared_session(adapter: SlackAdapter):  # type: ignore[no-untyped-def]
    """One pooled HTTP session for every Web API client, instead of a connection per call.

    Bolt copies the app client's session into each request's client; slack_sdk leaves a session it
    was given open, so it is closed here with the server.
    """

    async def context(_app: web.Application) -> AsyncIterator[None]:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        adapter.use_session(session)
        yield
        adapter.use_session(None)
        await session.close()

    return context


def _after_ack(adapter: SlackAdapter):  # type: ignore[no-untyped-def]
    async def context(_app: web.Application) -> AsyncIterator[None]:
        await adapter.after_ack.start()
        replaying = asyncio.create_task(_replay_parked(adapter), name="slack-replay-parked")
        yield
        replaying.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await replaying
        await adapter.after_ack.stop()

    return context


async def _replay_parked(adapter: SlackAdapter) -> None:
    while True:
        try:
            await adapter.replay_parked()
        except Exception:
            log.exception("could not take parked Slack events; trying again in a minute")
        await asyncio.sleep(parking.REPLAY_SECONDS)


def _socket_mode(adapter: SlackAdapter, app_token: str):  # type: ignore[no-untyped-def]
    """Connects out to Slack over a WebSocket (no public URL needed); Bolt handles the envelopes."""

    async def context(_app: web.Application) -> AsyncIterator[None]:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(adapter.bolt, app_token)  # uses adapter.client: SLACK_API_URL
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack Socket Mode connected")
        yield
        await handler.close_async()  # type: ignore[no-untyped-call]

    return context
