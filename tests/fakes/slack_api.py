"""A local fake of the Slack Web API (aiohttp on 127.0.0.1, a free port) for adapter tests.

It records every call and enforces what Slack documents, so a test fails the way production would:
the bearer token (`invalid_auth`), the documented argument names of each method, Block Kit limits
(`invalid_blocks`, `msg_too_long`), a per-channel rate limit on chat.postMessage (HTTP 429 with
Retry-After), chat.update only of a message posted in that channel (`message_not_found`; the update is
kept in `history`) and chat.postEphemeral in a DM only to its person (`user_not_in_channel`). `fail_next` makes the next call to a method fail on purpose. It also serves
`/respond/<id>` as a stand-in for interaction response_urls.

Rate limits as Slack publishes them (api.slack.com/apis/rate-limits and each method's page; see also
PLATFORM_RULES.md of the design notes): per method per workspace, Tier 2 20/min (users.list), Tier 3
50/min (conversations.open, conversations.history, conversations.info, chat.update,
users.lookupByEmail), Tier 4 100/min (users.info, conversations.members); chat.postMessage about 1/s per
channel (`post_limit` per `post_window`) and a workspace-wide limit Slack does not publish, modelled as
600/min. Beyond a quota the answer is HTTP 429 `ratelimited` with Retry-After (whole seconds, until the
window has room). `time_scale` compresses time: every per-minute quota is counted per 60/time_scale
seconds, so a test or benchmark runs fast with the ratios of a real rollout (tests default to 60: a
minute's quota per second). `refused` counts the 429s answered.

users.list pages (at most 1,000 per page, `cursor`); users.lookupByEmail answers `users_not_found` for an
address nobody has. `hang` makes a method never answer; `garble` makes it answer text/plain with a status.

OAuth as Slack does it: `GET /oauth/v2/authorize` (the consent page) checks the client id, the scopes and
the redirect URI against the app's settings and redirects the browser back with a code; oauth.v2.access
swaps the code (once, with the client's credentials and the same redirect_uri) for a bot token of that
workspace, and with `rotation` on, a refresh token that the refresh_token grant swaps for a new token.
Each token carries its workspace and scopes (sent back in `X-OAuth-Scopes`, as Slack does); methods
answer `missing_scope` when the token lacks what they need.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes.slack_blocks import BlockError, check_message_blocks, check_view

COMMON = {"token", "team_id"}
ALLOWED: dict[str, set[str]] = {
    "auth.test": set(),
    "apps.connections.open": set(),
    "oauth.v2.access": {"client_id", "client_secret", "code", "redirect_uri", "grant_type", "refresh_token"},
    "users.info": {"user", "include_locale"},
    "users.list": {"cursor", "include_locale", "limit"},
    "users.lookupByEmail": {"email"},
    "conversations.open": {"channel", "users", "return_im", "prevent_creation"},
    "conversations.history": {"channel", "cursor", "inclusive", "include_all_metadata", "latest", "limit", "oldest"},
    "conversations.members": {"channel", "cursor", "limit"},
    "conversations.info": {"channel", "include_locale", "include_num_members"},
    "chat.postMessage": {
        "channel", "text", "blocks", "attachments", "thread_ts", "reply_broadcast", "mrkdwn", "parse",
        "link_names", "unfurl_links", "unfurl_media", "icon_emoji", "icon_url", "username", "metadata",
        "as_user", "markdown_text",
    },
    "chat.postEphemeral": {
        "channel", "user", "text", "blocks", "attachments", "thread_ts", "icon_emoji", "icon_url",
        "link_names", "parse", "username", "as_user", "markdown_text",
    },
    "chat.update": {
        "channel", "ts", "text", "blocks", "attachments", "as_user", "file_ids", "link_names", "parse",
        "reply_broadcast", "metadata", "markdown_text",
    },
    "chat.getPermalink": {"channel", "message_ts"},
    "files.getUploadURLExternal": {"filename", "length", "alt_txt", "snippet_type"},
    "files.completeUploadExternal": {"files", "channel_id", "channels", "initial_comment", "thread_ts"},
    "views.open": {"trigger_id", "interactivity_pointer", "view"},
    "views.publish": {"user_id", "view", "hash"},
    "views.update": {"view", "view_id", "external_id", "hash"},
}  # fmt: skip
REQUIRED: dict[str, set[str]] = {
    "users.info": {"user"},
    "users.lookupByEmail": {"email"},
    "chat.postMessage": {"channel"},
    "chat.postEphemeral": {"channel", "user"},
    "chat.update": {"channel", "ts"},
    "chat.getPermalink": {"channel", "message_ts"},
    "files.getUploadURLExternal": {"filename", "length"},
    "files.completeUploadExternal": {"files"},
    "views.open": {"view"},
    "views.publish": {"user_id", "view"},
    "views.update": {"view"},
    "conversations.history": {"channel"},
    "conversations.members": {"channel"},
    "conversations.info": {"channel"},
}
# The scopes a method needs (any one of them), for the methods the coach calls; Slack answers missing_scope.
NEEDS: dict[str, set[str]] = {
    "users.info": {"users:read"},
    "users.list": {"users:read"},
    "users.lookupByEmail": {"users:read.email"},
    "conversations.open": {"im:write"},
    "conversations.members": {"channels:read", "groups:read"},
    "conversations.info": {"channels:read", "groups:read"},
    "conversations.history": {"channels:history", "groups:history", "im:history"},
    "chat.postMessage": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
}
# What the app is configured with: the committed manifest (its source is the code under test, but the
# committed file is what an admin pastes into Slack).
MANIFEST = Path(__file__).resolve().parents[2] / "manifest" / "slack.json"
APP_SCOPES = tuple(json.loads(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])
MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update")
PER_MINUTE = {  # Slack's tiers, per method per workspace
    "users.list": 20,
    "conversations.open": 50,
    "conversations.history": 50,
    "conversations.info": 50,
    "chat.update": 50,
    "users.lookupByEmail": 50,
    "users.info": 100,
    "conversations.members": 100,
    "chat.postMessage": 600,  # workspace-wide (not published; modelled)
}
USERS_PAGE_MAX = 1000
JSON_ARGS = ("blocks", "view", "metadata", "attachments")

BOT_USER = "UBOT"
TEAM = "T111"
CLIENT_ID = "111.222"
CLIENT_SECRET = "client-secret"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    ok: bool = True
    token: str = ""


@dataclass
class Grant:
    """An access token: its workspace, scopes, and (with rotation) when it expires."""

    team: str
    scopes: tuple[str, ...] = APP_SCOPES
    expires_at: float | None = None


@dataclass
class Failure:
    status: int = 429
    error: str = "ratelimited"
    retry_after: int | None = 1
    channel: str | None = None  # only a call to this channel fails


@dataclass
class FakeSlackApi:
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
        self._posts: dict[str, deque[float]] = defaultdict(deque)
        self._method_calls: dict[tuple[str, str], deque[float]] = defaultdict(deque)
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

    # --- what tests use -----------------------------------------------------------------------------

    def add_user(self, user_id: str, *, email: str, name: str, tz: str = "Europe/Berlin") -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM,
            "name": name.lower(),
            "real_name": name,
            "tz": tz,
            "profile": {"email": email, "display_name": name, "real_name": name},
        }

    def add_channel(self, channel: str, members: list[str]) -> None:
        self.channels[channel] = list(members)

    def token_of(self, team: str) -> str:
        """The newest token granted to a workspace."""
        return [token for token, grant in self.grants.items() if grant.team == team][-1]

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

    async def wait_for_post(self, text: str, *, within: float = 10.0) -> dict[str, Any]:
        """Wait for the first chat.postMessage whose text or blocks contain `text`, and return it."""
        deadline = time.monotonic() + within
        while not (
            found := [p for p in self.to("chat.postMessage") if text in f"{p.get('text')}{p.get('blocks')}"]
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

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of an upload: the bytes, to the URL step 1 gave, exactly as long as it said."""
        file_id = request.match_info["file_id"]
        body = await request.read()
        asked = self.upload_urls.get(file_id)
        if asked is None or file_id in self.uploaded:
            return web.Response(status=404, text="unknown or used upload URL")
        if len(body) != int(asked["length"]):
            return web.Response(status=400, text=f"expected {asked['length']} bytes, got {len(body)}")
        self.uploaded[file_id] = body
        return web.Response(text=f"OK - {len(body)}")

    async def _respond(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json()))
        return web.Response(text="ok")

    async def _authorize(self, request: web.Request) -> web.Response:
        """Slack's consent page, as if the person clicked Allow: back to the redirect URI with a code."""
        query = request.query
        if query.get("client_id") != CLIENT_ID:
            return web.Response(status=400, text="invalid_client_id")
        asked = set(filter(None, query.get("scope", "").split(",")))
        if not asked or asked - set(APP_SCOPES):
            return web.Response(status=400, text="invalid_scope")
        uri = query.get("redirect_uri")
        if not self.redirect_urls or (uri is not None and uri not in self.redirect_urls):
            return web.Response(status=400, text="bad_redirect_uri")
        code = f"code-{next(self._serial)}"
        self._codes[code] = (query.get("team") or TEAM, uri)
        target = uri or self.redirect_urls[0]
        raise web.HTTPFound(f"{target}?{urlencode({'code': code, 'state': query.get('state', '')})}")

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
        args = await _arguments(request)
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
                return _error("invalid_auth")
        elif token in self.revoked:
            return _error("token_revoked")
        elif grant is None:
            return _error("invalid_auth")
        elif grant.expires_at is not None and grant.expires_at < time.time():
            return _error("token_expired")
        elif method in NEEDS and not NEEDS[method] & set(grant.scopes):
            return _error("missing_scope", extra={"needed": ",".join(sorted(NEEDS[method])),
                                                   "provided": ",".join(grant.scopes)})  # fmt: skip
        if method not in ALLOWED:
            return _error("unknown_method", status=404)
        unknown = set(args) - ALLOWED[method] - COMMON
        if unknown:
            return _error("invalid_arguments", messages=[f"unknown argument: {n}" for n in sorted(unknown)])
        missing = REQUIRED.get(method, set()) - set(args)
        if missing:
            return _error("invalid_arguments", messages=[f"missing argument: {n}" for n in sorted(missing)])
        failure = self._take_failure(method, args)
        if failure is not None:
            if failure.status == 429:
                self.refused += 1
            return _error(failure.error, status=failure.status, retry_after=failure.retry_after)
        wait = self._over_tier(method, grant.team if grant is not None else TEAM)
        if wait is not None:
            self.refused += 1
            return _error("ratelimited", status=429, retry_after=wait)
        try:
            result = self._answer(method, args, grant)
        except BlockError as exc:
            return _error(exc.error, messages=[str(exc)])
        if isinstance(result, web.Response):
            return result
        call.ok = True
        headers = {"X-OAuth-Scopes": ",".join(grant.scopes)} if grant is not None else None
        return web.json_response({"ok": True, **result}, headers=headers)

    def _oauth_access(self, call: Call, authorization: str) -> web.Response:
        """The code grant (once per code, same redirect_uri) and the refresh_token grant."""
        args = dict(call.args)
        if authorization.startswith("Basic "):  # slack_sdk sends the client's credentials this way
            client, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            args.update(client_id=client, client_secret=secret)
        unknown = set(args) - ALLOWED["oauth.v2.access"]
        if unknown:
            return _error("invalid_arguments", messages=[f"unknown argument: {n}" for n in sorted(unknown)])
        if args.get("client_id") != CLIENT_ID or args.get("client_secret") != CLIENT_SECRET:
            return _error("invalid_client_id" if args.get("client_id") != CLIENT_ID else "bad_client_secret")
        if args.get("grant_type") == "refresh_token":
            team = self._refresh.get(str(args.get("refresh_token")))
            if team is None:
                return _error("invalid_refresh_token")
            body = self._grant(team, rotating=True)
        else:
            issued = self._codes.pop(str(args.get("code")), None)
            if issued is None:
                return _error("invalid_code")
            team, uri = issued
            if uri is not None and args.get("redirect_uri") != uri:
                return _error("bad_redirect_uri")
            body = self._grant(team, rotating=self.rotation)
            body.update(team={"id": team, "name": f"Workspace {team}"}, enterprise=None,
                        is_enterprise_install=False, authed_user={"id": "UADA"}, app_id="A111")  # fmt: skip
        call.ok = True
        return web.json_response({"ok": True, **body})

    def _grant(self, team: str, *, rotating: bool) -> dict[str, Any]:
        if team == TEAM and not rotating:
            token = self.token  # the workspace the tests use by default keeps its one token
        else:
            token = f"{'xoxe.' if rotating else ''}xoxb-{team}-{next(self._serial)}"
        expires = time.time() + self.token_lifetime if rotating else None
        self.grants[token] = Grant(team, APP_SCOPES, expires)
        body: dict[str, Any] = {"access_token": token, "token_type": "bot", "scope": ",".join(APP_SCOPES),
                                "bot_user_id": BOT_USER}  # fmt: skip
        if rotating:
            refresh = f"xoxe-1-refresh-{team}-{next(self._serial)}"
            self._refresh[refresh] = team
            body.update(refresh_token=refresh, expires_in=self.token_lifetime)
        return body

    def _over_tier(self, method: str, team: str) -> int | None:
        """Seconds until `method` has room in `team`'s window, when its tier's quota is used up."""
        per_minute = PER_MINUTE.get(method)
        if not self.tiers or per_minute is None:
            return None
        window = 60.0 / self.time_scale
        now = time.monotonic()
        calls = self._method_calls[(team, method)]
        while calls and now - calls[0] >= window:
            calls.popleft()
        if len(calls) >= per_minute:
            return max(1, int(window - (now - calls[0]) + 0.999))
        calls.append(now)
        return None

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
        if method == "users.info":
            user = str(args["user"])
            if user == BOT_USER:
                return {"user": {**_default_user(user), "is_bot": True}}
            return {"user": self.users.get(user) or _default_user(user)}
        if method == "conversations.members":
            return self._members(args)
        if method == "users.list":
            return self._users_page(args)
        if method == "users.lookupByEmail":
            email = str(args["email"]).lower()
            found = [u for u in self.users.values() if str(u["profile"].get("email", "")).lower() == email]
            return {"user": found[0]} if found else _error("users_not_found")
        if method == "conversations.info":
            channel = str(args["channel"])
            if channel not in self.channels:
                return _error("channel_not_found")
            return {"channel": {"id": channel, "name": channel.lower(), "is_private": channel.startswith("G"),
                                "is_member": BOT_USER in self.channels[channel]}}  # fmt: skip
        if method == "conversations.open":
            users = str(args.get("users") or "")
            if not users:
                return _error("users_not_found")
            return {"channel": {"id": "D" + users.split(",")[0]}}
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
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._serial):06d}"
            self.upload_urls[file_id] = dict(args)
            return {"upload_url": f"{self.root}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = json.loads(args["files"]) if isinstance(args["files"], str) else args["files"]
            if any(f.get("id") not in self.uploaded for f in files):
                return _error("file_not_found")
            channel = args.get("channel_id")
            if channel is not None and str(channel).startswith("C") and channel not in self.channels:
                return _error("channel_not_found")
            self.shared_files.append({"files": files, "channel_id": channel, "thread_ts": args.get("thread_ts")})
            return {"files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        if method == "conversations.history":
            return {"messages": list(reversed(self.history[str(args["channel"])])), "has_more": False}
        raise AssertionError(method)

    def _users_page(self, args: dict[str, Any]) -> dict[str, Any] | web.Response:
        """One page of the workspace's people (at most 1,000); `cursor` is opaque (here: an offset)."""
        limit = int(args.get("limit") or 0) or USERS_PAGE_MAX
        if limit > USERS_PAGE_MAX:
            limit = USERS_PAGE_MAX  # Slack answers fewer than asked; it does not fail
        people = sorted(self.users.values(), key=lambda u: str(u["id"]))
        start = int(str(args.get("cursor") or "off:0").removeprefix("off:"))
        page = people[start : start + limit]
        after = start + limit
        return {
            "members": page,
            "response_metadata": {"next_cursor": f"off:{after}" if after < len(people) else ""},
        }

    def _members(self, args: dict[str, Any]) -> dict[str, Any] | web.Response:
        """One page of a channel's members; `cursor` is opaque to the caller (here: an offset)."""
        channel = str(args["channel"])
        if channel not in self.channels:
            return _error("channel_not_found")
        members = self.channels[channel]
        start = int(str(args.get("cursor") or "off:0").removeprefix("off:"))
        limit = int(args.get("limit") or 100)
        page = members[start : start + limit]
        after = start + limit
        next_cursor = f"off:{after}" if after < len(members) else ""
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _message(self, method: str, args: dict[str, Any]) -> dict[str, Any] | web.Response:
        channel = str(args["channel"])
        if channel[:1] in "UW" and method == "chat.postMessage":
            channel = "D" + channel  # a post to a user id goes to the app's DM with them
        if method == "chat.postMessage":
            now = time.monotonic()
            posts = self._posts[channel]
            while posts and now - posts[0] > self.post_window:
                posts.popleft()
            if len(posts) >= self.post_limit:
                self.refused += 1
                return _error("ratelimited", status=429, retry_after=1)
            posts.append(now)
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "chat.update":
            # Slack updates only a message the app posted in that channel (ephemeral ones: response_url).
            found = [m for m in self.history[channel] if m["ts"] == args["ts"]]
            if not found:
                return _error("message_not_found")
            found[0].update(text=args.get("text", ""), blocks=args.get("blocks"), edited={"user": BOT_USER})
            return {"channel": channel, "ts": args["ts"], "text": args.get("text", "")}
        if method == "chat.postEphemeral":
            if channel.startswith("D") and channel != f"D{args['user']}":
                return _error("user_not_in_channel")  # a DM's only member is the person it is with
            return {"message_ts": ts}
        message = {"type": "message", "ts": ts, "user": BOT_USER, "text": args.get("text", "")}
        if "metadata" in args:
            message["metadata"] = args["metadata"]
        self.history[channel].append(message)
        return {"channel": channel, "ts": ts, "message": message}


def landed(post: dict[str, Any]) -> str:
    """The channel a chat.postMessage landed in: a post to a user id lands in the app's DM with them."""
    channel = str(post.get("channel") or "")
    return "D" + channel if channel[:1] in "UW" else channel


async def _arguments(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    body = await request.text()
    if body:
        if request.content_type == "application/json":
            args.update(json.loads(body))
        else:
            args.update(dict(parse_qsl(body, keep_blank_values=True)))
    for name in JSON_ARGS:
        if isinstance(args.get(name), str):
            args[name] = json.loads(args[name])
    return args


def _default_user(user: str) -> dict[str, Any]:
    return {
        "id": user,
        "team_id": TEAM,
        "name": user.lower(),
        "real_name": f"User {user}",
        "tz": "Europe/London",
        "profile": {"email": f"{user.lower()}@example.com", "display_name": f"User {user}"},
    }


def _error(
    error: str,
    *,
    status: int = 200,
    retry_after: int | None = None,
    messages: list[str] | None = None,
    extra: dict[str, str] | None = None,
) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error": error, **(extra or {})}
    if messages:
        body["response_metadata"] = {"messages": messages}
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return web.json_response(body, status=status, headers=headers)
