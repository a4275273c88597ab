"""Multi-workspace install (OAuth v2) when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set.

Installations and OAuth states live in slack_sdk's SQLAlchemy tables on the coach's own database.
Those stores are synchronous; the wrappers here run them in a worker thread so the event loop never
blocks on the database. `bot_client` gives the outbox sender a client with a workspace's bot token.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, inspect, select, text

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600
ROTATE_MINUTES = 120  # a rotating token is refreshed when it has less than this left (Bolt's default)


class ThreadedInstallationStore(AsyncInstallationStore):
    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        return await asyncio.to_thread(
            self.store.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self.store.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.store.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            self.store.delete_installation, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )

    async def find_bot_by_team(self, team_id: str) -> Bot | None:
        """The latest bot installed in a workspace, whatever its Enterprise Grid org (addresses keep only the team)."""
        return await asyncio.to_thread(self._find_bot_by_team, team_id)

    def _find_bot_by_team(self, team_id: str) -> Bot | None:
        bots = self.store.bots
        query = (
            select(bots.c.team_id, bots.c.enterprise_id, bots.c.is_enterprise_install)
            .where(bots.c.client_id == self.store.client_id)
            .order_by(bots.c.installed_at.desc())
        )
        if team_id:
            query = query.where(bots.c.team_id == team_id).limit(1)
        with self.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not team_id and len({r.team_id for r in rows}) != 1:
            return None  # an address without a workspace is only usable with a single install
        if not rows:
            return None
        row = rows[0]
        return self.store.find_bot(
            enterprise_id=row.enterprise_id,
            team_id=row.team_id,
            is_enterprise_install=row.is_enterprise_install,
        )


class ThreadedStateStore(AsyncOAuthStateStore):
    def __init__(self, store: SQLAlchemyOAuthStateStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.store.issue, *args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)


def installed_bot_tokens(engine: Engine) -> list[tuple[str, str]]:
    """(workspace, bot token) of each workspace's latest installation, for `coach doctor`."""
    if not inspect(engine).has_table("slack_bots"):
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT team_id, bot_token, installed_at FROM slack_bots ORDER BY installed_at")
        ).all()
    latest = {str(r.team_id or ""): str(r.bot_token) for r in rows if r.bot_token}
    return sorted(latest.items())


def authorize_url(api_url: str) -> str:
    """Slack's consent page beside its Web API: https://slack-gov.com/api/ gives
    https://slack-gov.com/oauth/v2/authorize (Bolt would send GovSlack users to slack.com)."""
    base = api_url.rstrip("/").removesuffix("/api")
    return f"{base}/oauth/v2/authorize"


def oauth_settings(
    *,
    client_id: str,
    client_secret: str,
    scopes: list[str],
    engine: Engine,
    authorization_url: str,
    redirect_uri: str,
    client: AsyncWebClient,
) -> tuple[AsyncOAuthSettings, ThreadedInstallationStore]:
    """Bolt's install flow. `redirect_uri` goes to Slack both in the consent link and in oauth.v2.access:
    Slack refuses the second unless it is the first, and the first unless it is one of the app's redirect
    URLs (the manifest's https://HOST/slack/oauth_redirect)."""
    installations = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)
    installations.create_tables()  # type: ignore[no-untyped-call]  # idempotent; slack_sdk owns these tables' shape
    states.create_tables()  # type: ignore[no-untyped-call]
    installation_store = ThreadedInstallationStore(installations)
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        installation_store=installation_store,
        state_store=ThreadedStateStore(states),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        redirect_uri=redirect_uri,
        token_rotation_expiration_minutes=ROTATE_MINUTES,
        authorization_url=authorization_url,
    )
    # Bolt builds the authorizer's token rotator with a default client, which calls slack.com whatever
    # SLACK_API_URL says (GovSlack, a proxy): give it the app's client.
    authorizer: Any = settings.authorize
    authorizer.token_rotator = rotator(client_id=client_id, client_secret=client_secret, client=client)
    return settings, installation_store


def rotator(*, client_id: str, client_secret: str, client: AsyncWebClient) -> AsyncTokenRotator:
    return AsyncTokenRotator(client_id=client_id, client_secret=client_secret, client=client)


class BotClients:
    """A Web API client per workspace, with the bot token its installation stored (for the outbox).

    With token rotation a token that expires within ROTATE_MINUTES is refreshed first (as Bolt does for
    inbound requests) and the new one stored for every process.
    """

    def __init__(
        self, *, installations: ThreadedInstallationStore, base_url: str, rotator: AsyncTokenRotator
    ) -> None:
        self.installations = installations
        self.base_url = base_url
        self.rotator = rotator
        self._clients: dict[str, AsyncWebClient] = {}

    async def __call__(self, team: str) -> AsyncWebClient:
        from bot.ports import PermanentFailure

        bot = await self.installations.find_bot_by_team(team)
        if bot is None:
            raise PermanentFailure(f"the coach is not installed in Slack workspace {team or '?'}")
        if bot.bot_refresh_token:
            try:
                refreshed = await self.rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=ROTATE_MINUTES
                )
            except SlackTokenRotationError as exc:
                error = exc.api_error.response.get("error")
                raise PermanentFailure(f"Slack token rotation failed ({error}): reinstall the app") from None
            if refreshed is not None:
                await self.installations.async_save_bot(refreshed)
                bot = refreshed
        client = self._clients.get(team)
        if client is None or client.token != bot.bot_token:
            client = AsyncWebClient(token=bot.bot_token, base_url=self.base_url)
            self._clients[team] = client
        return client
