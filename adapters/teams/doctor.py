"""`coach doctor` for Teams: the bot gets a Bot Framework token, the service URLs of its conversations
answer from this host, and it has been added to the team of every escalation channel in systems.yaml."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import requests
from botframework.connector.auth import AuthenticationConstants

from adapters.doctor.report import Finding, fail, info, ok
from adapters.teams.credentials import CachingCredentialsFactory, bot_framework_config
from bot.config import Settings
from bot.content import Content

AREA = "Teams"
PROBE_SECONDS = 5.0


async def findings(
    *, settings: Settings, content: Content | None, channels: Mapping[str, Mapping[str, Any]],
    addresses: list[dict[str, Any]],
) -> list[Finding]:  # fmt: skip
    """`channels` are the Teams channels the bot has seen (id -> ConversationReference), `addresses` its
    people's references: both come from the database."""
    if not settings.teams_enabled:
        return []
    found = [await _token(settings)]
    found.extend(await _service_urls([*channels.values(), *addresses]))
    if content is not None:
        for system in content.systems.values():
            channel = system.escalation_channel.get("teams")
            if not channel:
                continue
            check = f"in {system.name}'s escalation channel"
            if channel in channels:
                found.append(ok(AREA, check, channel))
            else:
                fix = (
                    f"add the app to the team of channel {channel} (Apps → Manage your apps, or the team's "
                    "⋯ → Manage team → Apps) and @mention the coach in that channel once"
                )
                found.append(fail(AREA, check, "the bot has not been in that channel yet", fix))
    return found


async def _token(settings: Settings) -> Finding:
    config = bot_framework_config(settings)
    factory = CachingCredentialsFactory(config)
    if not config.APP_PASSWORD and config.APP_TYPE != "UserAssignedMSI":
        return fail(AREA, "app token", "TEAMS_APP_PASSWORD is not set: replies would go without a token",
                    "create a client secret for the bot's app registration (Azure portal → the Azure Bot → "
                    "Configuration → Manage Password) and set TEAMS_APP_PASSWORD")  # fmt: skip
    scope = settings.teams_oauth_scope or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    try:  # fetches the token (off the event loop), a managed identity's too
        await factory.create_credentials(
            config.APP_ID or "", scope, settings.teams_login_url or "", config.VALIDATE_AUTHORITY
        )
    except Exception as exc:
        return fail(AREA, "app token", f"{type(exc).__name__}: {str(exc)[:300]}",
                    "check TEAMS_APP_ID, TEAMS_APP_PASSWORD (secrets expire), TEAMS_APP_TYPE and, for "
                    "SingleTenant, TEAMS_APP_TENANT_ID against the Azure Bot's Configuration page")  # fmt: skip
    return ok(AREA, "app token", f"{config.APP_TYPE} app {config.APP_ID}")


async def _service_urls(references: list[Mapping[str, Any]]) -> list[Finding]:
    urls = sorted({str(r.get("serviceUrl")) for r in references if r.get("serviceUrl")})
    if not urls:
        return [info(AREA, "service URL", "no conversation yet: checked once someone has written to the bot")]
    found = []
    for url in urls:
        problem = await asyncio.to_thread(_probe, url)
        if problem is None:
            found.append(ok(AREA, f"service URL {url}", "reachable"))
        else:
            fix = "allow outbound https from this host to the Bot Connector service (a proxy or firewall blocks it)"
            found.append(fail(AREA, f"service URL {url}", problem, fix))
    return found


def _probe(url: str) -> str | None:
    """None when the connector answers at all (any HTTP status: it wants a token), else why not."""
    try:
        requests.get(url, timeout=PROBE_SECONDS)
    except requests.RequestException as exc:
        return f"unreachable: {type(exc).__name__}"
    return None
