"""`coach doctor` for Slack: each bot token works, has the scopes the coach needs, and the bot is in every
escalation channel of systems.yaml; the app token opens Socket Mode."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.doctor.report import Finding, fail, ok
from adapters.slack.errors import error_of
from adapters.slack.manifest import SCOPES
from adapters.slack.oauth import installed_bot_tokens
from bot.config import Settings
from bot.content import Content
from bot.store.db import Store

AREA = "Slack"
REINSTALL = "add them under OAuth & Permissions (or paste the new manifest from `coach manifest slack`), then reinstall the app"


async def findings(*, settings: Settings, content: Content | None, store: Store) -> list[Finding]:
    base = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    found: list[Finding] = []
    if settings.slack_app_token is None and settings.slack_signing_secret is None:
        return found
    if settings.slack_app_token is not None:
        found.append(await _socket_mode(base, settings.slack_app_token.get_secret_value()))
    elif not settings.slack_signing_secret or not settings.slack_signing_secret.get_secret_value():
        found.append(
            fail(
                AREA,
                "signing secret",
                "empty",
                "copy the Signing Secret from Basic Information into SLACK_SIGNING_SECRET",
            )
        )
    tokens = await _tokens(settings, store)
    if not tokens:
        fix = (
            "open https://YOUR-HOST/slack/install and add the app to a workspace"
            if settings.slack_client_id
            else "copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions into SLACK_BOT_TOKEN"
        )
        return [*found, fail(AREA, "bot token", "none", fix)]
    clients: list[AsyncWebClient] = []
    for team, token in tokens:
        client = AsyncWebClient(token=token, base_url=base)
        result = await _token(client, team)
        found.extend(result)
        if not any(f.failed for f in result):
            clients.append(client)
    if clients and content is not None:
        found.extend(await _channels(clients, content))
    return found


async def _tokens(settings: Settings, store: Store) -> list[tuple[str, str]]:
    """(workspace, bot token): the installations' (multi-workspace) or SLACK_BOT_TOKEN's."""
    if settings.slack_client_id:
        return await installed_bot_tokens(store)
    if settings.slack_bot_token is not None and settings.slack_bot_token.get_secret_value():
        return [("", settings.slack_bot_token.get_secret_value())]
    return []


async def _token(client: AsyncWebClient, team: str) -> list[Finding]:
    where = f" ({team})" if team else ""
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        error = error_of(exc)
        fix = (
            "the app was uninstalled or its token revoked: reinstall it and copy the new Bot User OAuth Token"
            if error in ("token_revoked", "account_inactive", "invalid_auth", "not_authed", "token_expired")
            else "check SLACK_API_URL and the token"
        )
        return [fail(AREA, f"bot token{where}", f"auth.test: {error}", fix)]
    granted = {s.strip() for s in str(response.headers.get("x-oauth-scopes", "")).split(",") if s.strip()}
    found = [ok(AREA, f"bot token{where}", f"workspace {response.get('team')} ({response.get('team_id')})")]
    missing = sorted(set(SCOPES) - granted)
    if missing:
        found.append(fail(AREA, f"scopes{where}", f"missing {', '.join(missing)}", REINSTALL))
    else:
        found.append(ok(AREA, f"scopes{where}", "every scope the coach uses"))
    return found


async def _channels(clients: list[AsyncWebClient], content: Content) -> list[Finding]:
    found = []
    for system in content.systems.values():
        channel = system.escalation_channel.get("slack")
        if not channel:
            continue
        check = f"in {system.name}'s escalation channel {channel}"
        seen = [c for c in [await _channel(client, channel) for client in clients] if c is not None]
        if not seen:
            fix = f"check the channel id in systems.yaml ({system.key}), then invite the bot there"
            found.append(fail(AREA, check, "channel not found", fix))
        elif not any(c.get("is_member") for c in seen):
            fix = f"in #{seen[0].get('name', channel)} type /invite @Adoption Coach"
            found.append(fail(AREA, check, "the bot is not a member", fix))
        else:
            found.append(ok(AREA, check, f"#{seen[0].get('name', channel)}"))
    return found


async def _channel(client: AsyncWebClient, channel: str) -> dict[str, Any] | None:
    try:
        response = await client.conversations_info(channel=channel)
    except SlackApiError:
        return None
    data: dict[str, Any] = response.get("channel") or {}
    return data


async def _socket_mode(base: str, app_token: str) -> Finding:
    try:
        await AsyncWebClient(token=app_token, base_url=base).apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        fix = "create an app-level token with connections:write (Basic Information) into SLACK_APP_TOKEN and turn on Socket Mode"
        return fail(AREA, "Socket Mode", f"apps.connections.open: {exc.response.get('error')}", fix)
    return ok(AREA, "Socket Mode", "the app token opens a connection")
