"""A local fake of the Slack Web API (aiohttp on 127.0.0.1, a free port) for adapter tests.

It records every call and enforces what Slack documents, so a test fails the way production would:
the bearer token (`invalid_auth`), the documented argument names of each method (slack_contract), Block
Kit limits (`invalid_blocks`, `msg_too_long`), the per-method tiers and a per-channel rate limit on
chat.postMessage (slack_tiers: HTTP 429 with Retry-After), chat.update only of a message posted in that
channel (`message_not_found`; the update is kept in `history`) and chat.postEphemeral in a DM only to its
person (`user_not_in_channel`). `fail_next` makes the next call to a method fail on purpose. It also
serves `/respond/<id>` as a stand-in for interaction response_urls.

`time_scale` compresses time: every per-minute quota is counted per 60/time_scale seconds (tests default
to 60: a minute's quota per second). `refused` counts the 429s answered. `hang` makes a method never
answer; `garble` makes it answer text/plain with a status.

The rest lives beside it: people and conversations in slack_directory, files_upload_v2 in slack_files,
OAuth (consent page, code and refresh grants, scopes per token, `missing_scope`) in slack_oauth.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes.slack_blocks import BlockError, check_message_blocks, check_view
from tests.fakes.slack_contract import (
    ALLOWED,
    APP_SCOPES,
    BOT_USER,
    CLIENT_ID,
    CLIENT_SECRET,
    COMMON,
    MESSAGE_METHODS,
    NEEDS,
    REQUIRED,
    TEAM,
    Call,
    Failure,
    Grant,
    arguments,
    error_response,
    landed,
)
from tests.fakes.slack_directory import DIRECTORY_METHODS, Directory
from tests.fakes.slack_files import FILE_METHODS, FileUploads
from tests.fakes.slack_oauth import OAuthServer
from tests.fakes.slack_tiers import RateLimits

# The names tests import from here.
__all__ = [
    "BOT_USER",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "TEAM",
    "Call",
    "Failure",
    "FakeSlackApi",
    "Grant",
    "landed",
]


@dataclass
class FakeSlackApi(Directory, FileUploads, OAuthServer):
    token: str = "xoxb-test-token"
    app_token: str = "xapp-test-token"  # Socket Mode: apps.connections.open takes only this one
    oauth_code: str = "oauth-code"  # OAuth install: oauth.v2.access swaps this code for `token`
    scopes: tuple[str, ...] = APP_SCOPES  # granted to `token` (the single-workspace install)
    redirect_urls: tuple[str, ...] = ()  # the app's OAuth redirect URLs (its manifest's)
    rotation: bool = False  # token rotation on: oauth.v2.access gives refresh tokens, tokens expire
    token_lifetime: int = 43200  # seconds (Slack: 12 hours)
    revoked: set[str] = field(default_factory=set)  # tokens that answer token_revoked
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, list[str]] = field(default_factory=dict)  # channel id -> member user ids
    post_limit: int = 5  # chat.postMessage per channel within `post_window` seconds
    post_window: float = 1.0
    time_scale: float = 60.0  # per-minute quotas are counted per 60/time_scale seconds
    tiers: bool = True  # enforce the per-method tiers above
    refused: int = 0  # 429s answered
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: TestServer | None = None
        self._ts = itertools.count(1)
        self._limits = RateLimits()
        self._hung: set[str] = set()
        self._garbled: dict[str, int] = {}
        self._failures: dict[str, list[Failure]] = defaultdict(list)
        self.history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._sockets: list[web.WebSocketResponse] = []
        self._holds: dict[str, asyncio.Event] = {}
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.grants: dict[str, Grant] = {self.token: Grant(TEAM, self.scopes)}
        self._codes: dict[str, tuple[str, str | None]] = {self.oauth_code: (TEAM, None)}  # code -> team, uri
        self._refresh: dict[str, str] = {}  # refresh token -> team
        self._serial = itertools.count(1)
        # files_upload_v2's three steps: the URLs handed out, the bytes received, the files shared.
        self.upload_urls: dict[str, dict[str, Any]] = {}  # file id -> getUploadURLExternal's arguments
        self.uploaded: dict[str, bytes] = {}
        self.shared_files: list[dict[str, Any]] = []  # completeUploadExternal: files, channel, thread

    # --- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/oauth/v2/authorize", self._authorize)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self.base_url

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._server is not None:
            await self._server.close()

    @property
    def root(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    @property
    def base_url(self) -> str:
        return self.root + "/api/"

    def response_url(self, hook: str = "hook") -> str:
        return f"{self.root}/respond/{hook}"

    # --- what tests use (and add_user, add_channel, token_of from the mixins) --------------------

    def hold(self, method: str) -> asyncio.Event:
        """Calls to `method` wait until the returned event is set (to show work happens after the ack)."""
        self._holds[method] = asyncio.Event()
        return self._holds[method]

    def hang(self, method: str) -> None:
        """Calls to `method` never answer (the client's time limit must end them)."""
        self._hung.add(method)

    def garble(self, method: str, status: int = 503) -> None:
        """Calls to `method` answer text/plain with `status`, as a proxy in front of Slack might."""
        self._garbled[method] = status

    def fail_next(self, method: str, failure: Failure | None = None) -> None:
        self._failures[method].append(failure or Failure())

    def to(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every successful call to a method, in order."""
        return [c.args for c in self.calls if c.method == method and c.ok]

    async def wait_for(self, method: str, count: int = 1, *, within: float = 10.0) -> list[dict[str, Any]]:
        """Wait until `count` successful calls to `method` were made (Bolt works after its ack)."""
        deadline = time.monotonic() + within
        while len(self.to(method)) < count:
            if time.monotonic() > deadline:
                made = [c.method for c in self.calls]
                raise AssertionError(f"expected {count} call(s) to {method}; calls made: {made}")
            await asyncio.sleep(0.01)
        return self.to(method)

    async def wait_for_call(self, found: Callable[[], Any], *, within: float = 10.0) -> Any:
        """Wait until `found()` is truthy (e.g. a call to some channel was made), and return it."""
        deadline = time.monotonic() + within
        while not (result := found()):
            if time.monotonic() > deadline:
                raise AssertionError(f"not found; calls made: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.01)
        return result

    async def wait_for_post(
        self, text: str, *, channel: str | None = None, within: float = 10.0
    ) -> dict[str, Any]:
        """Wait for the first chat.postMessage (to `channel`, if named) whose text or blocks contain
        `text`, and return it: sends to different people finish in any order."""
        deadline = time.monotonic() + within
        while not (
            found := [
                p
                for p in self.to("chat.postMessage")
                if text in f"{p.get('text')}{p.get('blocks')}" and channel in (None, p.get("channel"))
            ]
        ):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no chat.postMessage with {text!r}; posted: {self.to('chat.postMessage')}"
                )
            await asyncio.sleep(0.01)
        return found[0]

    async def push(self, envelope: dict[str, Any], *, within: float = 10.0) -> dict[str, Any]:
        """Socket Mode: send an envelope to the connected app and return its acknowledgement."""
        deadline = time.monotonic() + within
        while not self._sockets:
            assert time.monotonic() < deadline, "no Socket Mode connection"
            await asyncio.sleep(0.01)
        ack: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope["envelope_id"]] = ack
        await self._sockets[-1].send_json(envelope)
        return await asyncio.wait_for(ack, deadline - time.monotonic())

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for message in ws:
            data = json.loads(message.data)
            ack = self._acks.pop(str(data.get("envelope_id")), None)
            if ack is not None and not ack.done():
                ack.set_result(data)
        self._sockets.remove(ws)
        return ws

    # --- the API --------------------------------------------------------------------------------------

    async def _respond(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json()))
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method in self._holds:
            await self._holds[method].wait()
        if method in self._hung:
            await asyncio.Event().wait()
        if method in self._garbled:
            return web.Response(
                status=self._garbled[method], text="upstream unavailable", content_type="text/plain"
            )
        args = await arguments(request)
        bearer = request.headers.get("Authorization", "")
        token = "" if bearer.startswith("Basic ") else bearer.removeprefix("Bearer ").strip()
        token = token or str(args.get("token") or "")
        call = Call(method, args, ok=False, token=token)
        self.calls.append(call)
        if method == "oauth.v2.access":
            return self._oauth_access(call, bearer)
        grant = self.grants.get(token)
        if method == "apps.connections.open":
            if token != self.app_token:
                return error_response("invalid_auth")
        elif token in self.revoked:
            return error_response("token_revoked")
        elif grant is None:
            return error_response("invalid_auth")
        elif grant.expires_at is not None and grant.expires_at < time.time():
            return error_response("token_expired")
        elif method in NEEDS and not NEEDS[method] & set(grant.scopes):
            needed, provided = ",".join(sorted(NEEDS[method])), ",".join(grant.scopes)
            return error_response("missing_scope", extra={"needed": needed, "provided": provided})
        if method not in ALLOWED:
            return error_response("unknown_method", status=404)
        unknown = set(args) - ALLOWED[method] - COMMON
        if unknown:
            return error_response(
                "invalid_arguments", messages=[f"unknown argument: {n}" for n in sorted(unknown)]
            )
        missing = REQUIRED.get(method, set()) - set(args)
        if missing:
            return error_response(
                "invalid_arguments", messages=[f"missing argument: {n}" for n in sorted(missing)]
            )
        failure = self._take_failure(method, args)
        if failure is not None:
            if failure.status == 429:
                self.refused += 1
            return error_response(failure.error, status=failure.status, retry_after=failure.retry_after)
        team = grant.team if grant is not None else TEAM
        wait = self._limits.over_tier(method, team, time_scale=self.time_scale) if self.tiers else None
        if wait is not None:
            self.refused += 1
            return error_response("ratelimited", status=429, retry_after=wait)
        try:
            result = self._answer(method, args, grant)
        except BlockError as exc:
            return error_response(exc.error, messages=[str(exc)])
        if isinstance(result, web.Response):
            return result
        call.ok = True
        headers = {"X-OAuth-Scopes": ",".join(grant.scopes)} if grant is not None else None
        return web.json_response({"ok": True, **result}, headers=headers)

    def _take_failure(self, method: str, args: dict[str, Any]) -> Failure | None:
        for index, failure in enumerate(self._failures[method]):
            if failure.channel is None or failure.channel == args.get("channel"):
                return self._failures[method].pop(index)
        return None

    def _answer(
        self, method: str, args: dict[str, Any], grant: Grant | None
    ) -> dict[str, Any] | web.Response:
        if method == "auth.test":
            return {"url": "https://fake.slack.test/", "team": "Fake", "user": "coach",
                    "team_id": grant.team if grant is not None else TEAM,
                    "user_id": BOT_USER, "bot_id": "BBOT", "is_enterprise_install": False}  # fmt: skip
        if method == "apps.connections.open":
            return {"url": self.root.replace("http://", "ws://") + "/socket"}
        if method in DIRECTORY_METHODS:
            return self._look_up(method, args)
        if method in FILE_METHODS:
            return self._file_step(method, args)
        if method in MESSAGE_METHODS:
            check_message_blocks(args)
            return self._message(method, args)
        if method in ("views.open", "views.publish", "views.update"):
            view = check_view(args["view"], home=method == "views.publish")
            return {"view": {"id": f"V{next(self._ts)}", **view}}
        if method == "chat.getPermalink":
            ts = str(args["message_ts"]).replace(".", "")
            return {
                "channel": args["channel"],
                "permalink": f"https://fake.slack.test/archives/{args['channel']}/p{ts}",
            }
        if method == "conversations.history":
            return {"messages": list(reversed(self.history[str(args["channel"])])), "has_more": False}
        raise AssertionError(method)

    def _message(self, method: str, args: dict[str, Any]) -> dict[str, Any] | web.Response:
        channel = str(args["channel"])
        if channel[:1] in "UW" and method == "chat.postMessage":
            channel = "D" + channel  # a post to a user id goes to the app's DM with them
        if method == "chat.postMessage" and self._limits.over_channel(
            channel, limit=self.post_limit, window=self.post_window
        ):
            self.refused += 1
            return error_response("ratelimited", status=429, retry_after=1)
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "chat.update":
            # Slack updates only a message the app posted in that channel (ephemeral ones: response_url).
            found = [m for m in self.history[channel] if m["ts"] == args["ts"]]
            if not found:
                return error_response("message_not_found")
            found[0].update(text=args.get("text", ""), blocks=args.get("blocks"), edited={"user": BOT_USER})
            return {"channel": channel, "ts": args["ts"], "text": args.get("text", "")}
        if method == "chat.postEphemeral":
            if channel.startswith("D") and channel != f"D{args['user']}":
                return error_response("user_not_in_channel")  # a DM's only member is the person it is with
            return {"message_ts": ts}
        message = {"type": "message", "ts": ts, "user": BOT_USER, "text": args.get("text", "")}
        if "metadata" in args:
            message["metadata"] = args["metadata"]
        self.history[channel].append(message)
        return {"channel": channel, "ts": ts, "message": message}
