"""The Slack fake's OAuth, as Slack does it: `GET /oauth/v2/authorize` (the consent page) checks the
client id, the scopes and the redirect URI against the app's settings and redirects the browser back with
a code; oauth.v2.access swaps the code (once, with the client's credentials and the same redirect_uri) for
a bot token of that workspace, and with `rotation` on, a refresh token that the refresh_token grant swaps
for a new token. Each token carries its workspace and scopes.
"""

from __future__ import annotations

import base64
import itertools
import time
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from tests.fakes.slack_contract import (
    ALLOWED,
    APP_SCOPES,
    BOT_USER,
    CLIENT_ID,
    CLIENT_SECRET,
    TEAM,
    Call,
    Grant,
    error_response,
)


class OAuthServer:
    token: str  # the default workspace's one token (without rotation)
    redirect_urls: tuple[str, ...]
    rotation: bool
    token_lifetime: int
    grants: dict[str, Grant]  # access token -> its workspace, scopes, expiry
    _codes: dict[str, tuple[str, str | None]]  # code -> team, redirect uri
    _refresh: dict[str, str]  # refresh token -> team
    _serial: itertools.count[int]

    def token_of(self, team: str) -> str:
        """The newest token granted to a workspace."""
        return [token for token, grant in self.grants.items() if grant.team == team][-1]

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

    def _oauth_access(self, call: Call, authorization: str) -> web.Response:
        """The code grant (once per code, same redirect_uri) and the refresh_token grant."""
        args = dict(call.args)
        if authorization.startswith("Basic "):  # slack_sdk sends the client's credentials this way
            client, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            args.update(client_id=client, client_secret=secret)
        unknown = set(args) - ALLOWED["oauth.v2.access"]
        if unknown:
            return error_response(
                "invalid_arguments", messages=[f"unknown argument: {n}" for n in sorted(unknown)]
            )
        if args.get("client_id") != CLIENT_ID or args.get("client_secret") != CLIENT_SECRET:
            return error_response(
                "invalid_client_id" if args.get("client_id") != CLIENT_ID else "bad_client_secret"
            )
        if args.get("grant_type") == "refresh_token":
            team = self._refresh.get(str(args.get("refresh_token")))
            if team is None:
                return error_response("invalid_refresh_token")
            body = self._grant(team, rotating=True)
        else:
            issued = self._codes.pop(str(args.get("code")), None)
            if issued is None:
                return error_response("invalid_code")
            team, uri = issued
            if uri is not None and args.get("redirect_uri") != uri:
                return error_response("bad_redirect_uri")
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
