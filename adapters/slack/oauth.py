"""Multi-workspace install (OAuth v2) when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set.

Installations and OAuth states live in the coach's own tables (`bot.installations`), behind slack_sdk's
store interfaces, which this module translates to: every write is a unit of work of the coach's store
(on SQLite, behind its one writer; slack_sdk's SQLAlchemy stores opened connections of their own, whose
writes met SQLite's lock). `BotClients` gives the outbox sender a client with a workspace's bot token.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.installations import service as installations
from bot.installations.models import WorkspaceBot, WorkspaceInstallation
from bot.ports import Clock
from bot.store.db import Store

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600
ROTATE_MINUTES = 120  # a rotating token is refreshed when it has less than this left (Bolt's default)


class InstallationStore(AsyncInstallationStore):
    """slack_sdk's installation store on the coach's own tables (`bot.installations`): writes are units of
    work like any other (on SQLite, behind the one writer), look-ups run on the store's readers."""

    def __init__(self, *, store: Store, client_id: str) -> None:
        self.store = store
        self.client_id = client_id

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        row = WorkspaceInstallation(
            **_columns(installation.to_dict(), WorkspaceInstallation), client_id=self.client_id
        )
        await self.store.run(
            lambda session: installations.save_installation(session=session, installation=row)
        )

    async def async_save_bot(self, bot: Bot) -> None:
        row = WorkspaceBot(**_columns(bot.to_dict(), WorkspaceBot), client_id=self.client_id)
        await self.store.run(lambda session: installations.save_bot(session=session, bot=row))

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        team = None if is_enterprise_install else team_id
        return await self.store.read(
            lambda session: _bot(
                installations.find_bot(
                    session=session, client_id=self.client_id, enterprise_id=enterprise_id, team_id=team
                )
            )
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        team = None if is_enterprise_install else team_id
        return await self.store.read(
            lambda session: _installation(
                installations.find_installation(
                    session=session,
                    client_id=self.client_id,
                    enterprise_id=enterprise_id,
                    team_id=team,
                    user_id=user_id,
                )
            )
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.store.run(
            lambda session: installations.delete_bots(
                session=session, client_id=self.client_id, enterprise_id=enterprise_id, team_id=team_id
            )
        )

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await self.store.run(
            lambda session: installations.delete_installations(
                session=session,
                client_id=self.client_id,
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
            )
        )

    async def find_bot_by_team(self, team_id: str) -> Bot | None:
        """The latest bot installed in a workspace, whatever its Enterprise Grid org (addresses keep only the team)."""
        return await self.store.read(
            lambda session: _bot(
                installations.bot_for_team(session=session, client_id=self.client_id, team_id=team_id)
            )
        )


def _columns(
    values: dict[str, Any], model: type[WorkspaceInstallation] | type[WorkspaceBot]
) -> dict[str, Any]:
    """slack_sdk's fields that are the table's columns (its custom values and the row's own keys left out)."""
    return {
        name: bool(values.get(name)) if name == "is_enterprise_install" else values.get(name)
        for name in model.model_fields
        if name not in ("id", "client_id")
    }


# Rows become slack_sdk's objects inside the unit of work: once it ends they are expired.
def _bot(row: WorkspaceBot | None) -> Bot | None:
    return None if row is None else Bot(**_columns(row.model_dump(), WorkspaceBot))


def _installation(row: WorkspaceInstallation | None) -> Installation | None:
    return None if row is None else Installation(**_columns(row.model_dump(), WorkspaceInstallation))


class StateStore(AsyncOAuthStateStore):
    """Install states on the coach's table: each good once (consumed in one DELETE … RETURNING) for
    STATE_SECONDS by the runtime's clock."""

    def __init__(self, *, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        now = self.clock.now()
        expires_at = now + timedelta(seconds=STATE_SECONDS)
        await self.store.run(
            lambda session: installations.issue_state(
                session=session, state=state, expires_at=expires_at, now=now
            )
        )
        return state

    async def async_consume(self, state: str) -> bool:
        now = self.clock.now()
        return await self.store.run(
            lambda session: installations.consume_state(session=session, state=state, now=now)
        )


async def installed_bot_tokens(store: Store) -> list[tuple[str, str]]:
    """(workspace, bot token) of each workspace's latest installation, for `coach doctor`."""
    return await store.read(lambda session: installations.bot_tokens(session=session))


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
    store: Store,
    clock: Clock,
    authorization_url: str,
    redirect_uri: str,
    client: AsyncWebClient,
) -> tuple[AsyncOAuthSettings, InstallationStore]:
    """Bolt's install flow. `redirect_uri` goes to Slack both in the consent link and in oauth.v2.access:
    Slack refuses the second unless it is the first, and the first unless it is one of the app's redirect
    URLs (the manifest's https://HOST/slack/oauth_redirect)."""
    installation_store = InstallationStore(store=store, client_id=client_id)
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        installation_store=installation_store,
        state_store=StateStore(store=store, clock=clock),
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
        self, *, installations: InstallationStore, base_url: str, rotator: AsyncTokenRotator
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
