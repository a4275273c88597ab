"""What the Slack fake checks every call against: each method's documented arguments and scopes, the
app's scopes from the committed manifest, the records a test reads (Call, Grant, Failure), and Slack's
wire format for arguments (form or JSON, JSON-encoded fields) and for errors (`ok: false`, Retry-After).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

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


def landed(post: dict[str, Any]) -> str:
    """The channel a chat.postMessage landed in: a post to a user id lands in the app's DM with them."""
    channel = str(post.get("channel") or "")
    return "D" + channel if channel[:1] in "UW" else channel


async def arguments(request: web.Request) -> dict[str, Any]:
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


def error_response(
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
