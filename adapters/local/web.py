"""The local web chat on the aiohttp app: the page at `/`, its static files and its WebSocket.

Each tab is one person (`/?as=EMAIL`) looking at their direct conversation or a channel
(`&channel=NAME`). The tab's WebSocket carries what they do to the engine and everything the
conversation receives back to them; nothing on the page comes from the internet.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import logging
import secrets
from collections.abc import Awaitable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from aiohttp import WSCloseCode, WSMsgType, web

from adapters.local import frames, identity
from adapters.local.conversation import Conversation, Outcome
from adapters.local.directory import LocalDirectory
from adapters.local.hub import Entry, Hub
from adapters.local.sender import LocalSender
from adapters.runtime import Runtime
from adapters.web.stopping import STOPPING
from bot.demo.people import demo_people
from bot.messages import Form

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
CLOSE_SECONDS = 2.0  # a tab that does not answer our close frame by then is cut off
MAX_FRAME = 1024 * 1024  # room for the longest message the chat takes (MAX_TEXT) in any script


@dataclasses.dataclass
class LocalChat:
    runtime: Runtime
    hub: Hub
    templates: jinja2.Environment
    tabs: set[Tab] = dataclasses.field(default_factory=set)

    def busy(self) -> str | None:
        """What open tabs keep a stop waiting for, if anything (their replies go to the transcript)."""
        acting = sum(tab.acting for tab in self.tabs)
        return f"{acting} local chat action(s) to finish" if acting else None


LOCAL_CHAT = web.AppKey("local_chat", LocalChat)
UNTRUSTED_HOST = (
    "The local chat answers only at a loopback name such as http://127.0.0.1 or http://localhost "
    "(COACH_LOCAL_CHAT_FORCE_REMOTE=true serves it under other names)."
)


def mount(app: web.Application, runtime: Runtime) -> None:
    """Serve the local chat and make the hub the outbox's sender for platform "local"."""
    hub = Hub(store=runtime.store, clock=runtime.clock)
    runtime.dispatcher.senders["local"] = LocalSender(hub)
    runtime.directories["local"] = LocalDirectory(hub)
    templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    app[LOCAL_CHAT] = chat = LocalChat(runtime=runtime, hub=hub, templates=templates)
    app[STOPPING].watch(chat.busy)
    app.on_shutdown.append(close_tabs)
    app.router.add_get("/", page)
    app.router.add_get("/local/ws", websocket)
    app.router.add_static("/local/static", HERE / "static", append_version=False)


async def page(request: web.Request) -> web.Response:
    chat = request.app[LOCAL_CHAT]
    if not _trusted_host(request, chat.runtime.settings.local_chat_force_remote):
        raise web.HTTPForbidden(text=UNTRUSTED_HOST)
    typed = request.query.get("as", "")
    me = identity.clean_email(typed) if typed else None
    problem = "That doesn't look like an email address; try again." if typed and me is None else ""
    raw_channel = request.query.get("channel", "")
    channel = identity.clean_channel(raw_channel) if raw_channel and me else None
    if raw_channel and me and channel is None:
        problem = "Channel names use lowercase letters, digits, - and _ (up to 40)."
    name = identity.display_name(me, request.query.get("name")) if me else ""
    channels = list(identity.DEMO_CHANNELS)
    if channel and channel not in channels:
        channels.append(channel)
    body = chat.templates.get_template("chat.html").render(
        me=me,
        name=name,
        channel=channel,
        channels=channels,
        people=demo_people(chat.runtime.content),
        typed_email=typed if me is None else "",
        problem=problem,
    )
    return web.Response(
        text=body,
        content_type="text/html",
        headers={
            "Content-Security-Policy": "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


async def websocket(request: web.Request) -> web.StreamResponse:
    chat = request.app[LOCAL_CHAT]
    if not _same_origin(request) or not _trusted_host(request, chat.runtime.settings.local_chat_force_remote):
        raise web.HTTPForbidden(text="The local chat only accepts connections from its own page.")
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME, timeout=CLOSE_SECONDS)
    await ws.prepare(request)
    email = identity.clean_email(request.query.get("as", ""))
    raw_channel = request.query.get("channel", "")
    channel = identity.clean_channel(raw_channel) if raw_channel else None
    if email is None or (raw_channel and channel is None):
        await ws.send_json(frames.error("Pick who you are first: reload the page and choose a person."))
        await ws.close()
        return ws
    conversation = Conversation(
        engine=chat.runtime.engine,
        hub=chat.hub,
        email=email,
        name=request.query.get("name"),
        timezone=identity.clean_timezone(request.query.get("tz")),
        channel=channel,
    )
    tab = Tab(ws, conversation)
    chat.tabs.add(tab)
    chat.hub.subscribe(conversation.key, tab, email=email)
    writer = asyncio.create_task(tab.write_loop(), name=f"local-chat-writer:{email}")
    try:
        tab.start(await chat.hub.history(conversation.key))
        await tab.guard(conversation.open())
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await tab.handle(message.data)
            elif message.type == WSMsgType.BINARY:
                tab.send(frames.error("I only understand text messages."))
    finally:
        chat.tabs.discard(tab)
        chat.hub.unsubscribe(conversation.key, tab)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
    return ws


async def close_tabs(app: web.Application) -> None:
    """On stop, close every tab at once with 1001 Going Away (the page reconnects until the chat is
    back) rather than keep the stop waiting on them; an action a tab started still finishes."""
    tabs = list(app[LOCAL_CHAT].tabs)
    if tabs:
        log.info("closing %d local chat tab(s); they reconnect when the chat is back", len(tabs))
    await asyncio.gather(
        *(tab.ws.close(code=WSCloseCode.GOING_AWAY, message=b"the coach is restarting") for tab in tabs),
        return_exceptions=True,
    )


def _same_origin(request: web.Request) -> bool:
    """Refuse WebSockets opened by other sites' pages (a browser always sends Origin for those)."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _trusted_host(request: web.Request, force_remote: bool) -> bool:
    """Only a loopback host name, unless the chat is served remotely on purpose: a page of
    evil.example whose name the attacker points at 127.0.0.1 (DNS rebinding) is same-origin with
    itself, so the Origin check alone would let it act as anyone."""
    if force_remote:
        return True
    name = (urlsplit(f"//{request.host}").hostname or "").rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):  # resolved to loopback by browsers (RFC 6761)
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class Tab:
    """One browser tab: its conversation, its open form, and an ordered queue of frames to send."""

    def __init__(self, ws: web.WebSocketResponse, conversation: Conversation) -> None:
        self.ws = ws
        self.conversation = conversation
        self.in_channel = conversation.channel is not None
        self.form: Form | None = None
        self.acting = 0  # actions running for this tab
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._early: list[tuple[Entry, bool]] | None = []  # delivered while the history was read

    def start(self, history: list[Entry]) -> None:
        """Show the conversation so far, then what arrived while it was read (skipping what the
        history already holds, unless it was replaced since)."""
        early, self._early = self._early or [], None
        self.send(frames.history(history, viewer_email=self.conversation.email, in_channel=self.in_channel))
        shown = {entry.id for entry in history}
        for entry, replaced in early:
            if replaced or entry.id not in shown:
                self.show_entry(entry, replaced=replaced)

    def show_entry(self, entry: Entry, *, replaced: bool) -> None:
        if self._early is not None:
            self._early.append((entry, replaced))
            return
        self.send(
            frames.entry(
                entry, viewer_email=self.conversation.email, in_channel=self.in_channel, replaced=replaced
            )
        )

    def send(self, frame: dict[str, Any]) -> None:
        self._queue.put_nowait(frame)

    async def write_loop(self) -> None:
        while True:
            frame = await self._queue.get()
            if self.ws.closed:
                return
            try:
                await self.ws.send_json(frame)
            except (ConnectionError, RuntimeError):
                log.debug("local chat tab went away while sending", exc_info=True)
                return

    async def handle(self, raw: str) -> None:
        try:
            command = frames.parse(raw)
        except frames.BadFrame as exc:
            self.send(frames.error(str(exc)))
            return
        conversation = self.conversation
        if isinstance(command, frames.Say):
            await self.guard(conversation.say(command.text, thread_id=command.thread_id))
        elif isinstance(command, frames.Click):
            await self.guard(
                conversation.click(
                    message_id=command.message_id, action_id=command.action_id, value=command.value
                )
            )
        elif isinstance(command, frames.Submit):
            form = self.form
            if form is None or form.form_id != command.form_id:
                self.send(frames.form_close())
                self.show(conversation.notice("That form is no longer open. Type `help` to start again."))
                return
            values = {f.name: command.values.get(f.name, "") for f in form.fields}
            too_long = too_long_values(form, values)
            if too_long:  # as a platform's client would: the form stays open, the limit named
                self.form = dataclasses.replace(form, errors=too_long)
                self.send(frames.form(self.form, values=values))
                return
            await self.guard(conversation.submit(form=form, values=values), values=values)
        else:
            self.form = None
            self.send(frames.form_close())

    async def guard(self, work: Awaitable[Outcome], *, values: dict[str, str] | None = None) -> None:
        """Run one action; whatever goes wrong, the person gets a polite note, never a traceback."""
        self.acting += 1
        try:
            outcome = await work
        except Exception:
            reference = secrets.token_hex(4)
            log.exception("local chat action failed [ref %s]", reference)
            self.send(frames.error(f"Sorry, something went wrong on my side (reference {reference})."))
            return
        finally:
            self.acting -= 1
        self.show(outcome, values=values)

    def show(self, outcome: Outcome, *, values: dict[str, str] | None = None) -> None:
        for entry in outcome.private:
            self.show_entry(entry, replaced=False)
        if outcome.dialog is not None:
            self.form = None
            self.send(frames.dialog(outcome.dialog))
        if outcome.form_errors is not None and self.form is not None:
            self.form = dataclasses.replace(self.form, errors=dict(outcome.form_errors))
            self.send(frames.form(self.form, values=values))
        elif outcome.form is not None:
            self.form = outcome.form
            self.send(frames.form(outcome.form))
        elif outcome.close_form:
            self.form = None
            self.send(frames.form_close())


def too_long_values(form: Form, values: dict[str, str]) -> dict[str, str]:
    """Errors for the values longer than their field allows, each naming the limit."""
    return {
        f.name: f"Up to {f.max_length:,} characters here; this is {len(values[f.name]):,}."
        for f in form.fields
        if f.max_length is not None and len(values.get(f.name, "")) > f.max_length
    }
