"""Bot Framework configuration from our settings, and credentials that fetch tokens off the event loop.

botbuilder 4.17.1 builds fresh credentials for every turn and every proactive send, and msrest asks
them for a token synchronously on the event loop (MSAL does a blocking HTTP call each time). The
factory here caches one credentials object per (app id, scope, login endpoint); its token is
fetched in a worker thread before each use and reused until shortly before it expires.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from dataclasses import dataclass

import requests
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    ManagedIdentityServiceClientCredentialsFactory,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)
from msal import ConfidentialClientApplication
from msrest.authentication import Authentication

from bot.config import Settings, SettingsError

log = logging.getLogger(__name__)
# Managed-identity tokens live for hours and MSAL refreshes them from half-life on; fetching off the
# loop this often keeps the loop's own calls on MSAL's cache.
MSI_WARM_SECONDS = 600.0

# Our setting -> the key ConfigurationBotFrameworkAuthentication reads. Setting any one of them makes
# the SDK use all of them and treat the unset ones as None, so they come as a set or not at all.
ENDPOINT_KEYS = {
    "TEAMS_OPENID_METADATA_URL": ("teams_openid_metadata_url", "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"),
    "TEAMS_TOKEN_ISSUER": ("teams_token_issuer", "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"),
    "TEAMS_LOGIN_URL": ("teams_login_url", "TO_CHANNEL_FROM_BOT_LOGIN_URL"),
    "TEAMS_OAUTH_SCOPE": ("teams_oauth_scope", "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE"),
    "TEAMS_OAUTH_URL": ("teams_oauth_url", "OAUTH_URL"),
}
REFRESH_MARGIN_SECONDS = 300.0


@dataclass
class BotFrameworkConfig:
    """The configuration object ConfigurationBotFrameworkAuthentication reads attributes from."""

    APP_ID: str | None
    APP_PASSWORD: str | None
    APP_TYPE: str
    APP_TENANTID: str | None
    VALIDATE_AUTHORITY: bool = True  # the SDK probes the endpoint keys with getattr(config, KEY, None)


def bot_framework_config(settings: Settings) -> BotFrameworkConfig:
    """The SDK configuration, refusing a partial set of endpoint overrides (naming what is missing)."""
    present = {key for key, (field, _) in ENDPOINT_KEYS.items() if getattr(settings, field)}
    if present and present != set(ENDPOINT_KEYS):
        missing = ", ".join(sorted(set(ENDPOINT_KEYS) - present))
        raise SettingsError(
            f"Teams auth endpoints are partly set ({', '.join(sorted(present))}); also set: {missing}"
        )
    if (
        settings.teams_app_type == "SingleTenant"
        and settings.teams_app_id
        and not settings.teams_app_tenant_id
    ):
        raise SettingsError("TEAMS_APP_TENANT_ID: required when TEAMS_APP_TYPE is SingleTenant")
    password = settings.teams_app_password.get_secret_value() if settings.teams_app_password else None
    config = BotFrameworkConfig(
        APP_ID=settings.teams_app_id or None,
        APP_PASSWORD=password,
        APP_TYPE=settings.teams_app_type,
        APP_TENANTID=settings.teams_app_tenant_id,
        # MSAL cannot validate a private authority (tests, sovereign proxies) against Microsoft's cloud.
        VALIDATE_AUTHORITY=not present,
    )
    for field, sdk_key in ENDPOINT_KEYS.values():
        value = getattr(settings, field)
        if value:
            setattr(config, sdk_key, value)
    return config


class CachedTokenCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """App id + password credentials whose token is fetched in a thread and reused until near expiry."""

    def __init__(self, *, app_id: str, password: str, tenant: str | None, scope: str, authority: str) -> None:
        super().__init__(app_id, password, channel_auth_tenant=tenant, oauth_scope=scope)
        self.oauth_endpoint = authority
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self._client: ConfidentialClientApplication | None = None

    def _fresh(self) -> bool:
        return self._token is not None and time.time() < self._expires_at - REFRESH_MARGIN_SECONDS

    async def prepare(self) -> None:
        """Make sure a valid token is cached, fetching it in a worker thread when it is not."""
        if not self._fresh():
            await asyncio.to_thread(self._refresh)

    def get_access_token(self, force_refresh: bool = False) -> str:
        if force_refresh or not self._fresh():
            log.warning("Teams token fetched on the calling thread (prepare() was not awaited first)")
            self._refresh()
        assert self._token is not None
        return self._token

    def _refresh(self) -> None:
        with self._lock:
            if self._fresh():
                return
            if self._client is None:
                self._client = ConfidentialClientApplication(
                    client_id=self.microsoft_app_id,
                    client_credential=self.microsoft_app_password,
                    authority=self.oauth_endpoint,
                    validate_authority="/adfs" not in self.oauth_endpoint.lower(),
                )
            scope = (
                self.oauth_scope if self.oauth_scope.endswith("/.default") else self.oauth_scope + "/.default"
            )
            result = self._client.acquire_token_for_client(scopes=[scope])
            if "access_token" not in result:
                raise PermissionError(
                    f"could not get a Bot Framework token: {result.get('error')}: {result.get('error_description')}"
                )
            self._token = str(result["access_token"])
            self._expires_at = time.time() + float(result.get("expires_in", 3600))


class CachingCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """One credentials object per (app id, scope, login endpoint), prepared off the event loop."""

    def __init__(self, config: BotFrameworkConfig) -> None:
        self.app_id = config.APP_ID
        self.password = config.APP_PASSWORD
        self.tenant = config.APP_TENANTID if config.APP_TYPE == "SingleTenant" else None
        self.app_type = config.APP_TYPE
        self._cache: dict[tuple[str, str, str], Authentication] = {}
        self._warmed: dict[tuple[str, str, str], float] = {}  # when a managed-identity token was last fetched
        self._msi = (
            ManagedIdentityServiceClientCredentialsFactory(self.app_id)
            if config.APP_TYPE == "UserAssignedMSI"
            else None
        )
        self._empty: Authentication = (
            MicrosoftAppCredentials.empty()
        )  # one object: connector clients are kept per it
        if self.app_id and not self.password and self._msi is None:
            log.warning("TEAMS_APP_PASSWORD is not set: replies are sent without a token (local trials only)")

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(self.app_id) and app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return not self.app_id

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        if not self.app_id or (not self.password and self._msi is None):
            return self._empty
        if app_id != self.app_id:
            raise PermissionError("credentials asked for an unknown app id")
        scope = oauth_scope or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        key = (app_id, scope, login_endpoint or "")
        credentials = self._cache.get(key)
        if credentials is None:
            credentials = await self._build(app_id, scope, login_endpoint, validate_authority)
            self._cache[key] = credentials
        if isinstance(credentials, CachedTokenCredentials):
            await credentials.prepare()
        elif isinstance(credentials, AppCredentials):  # managed identity: botbuilder's own credentials
            await self._warm_managed_identity(key, credentials)
        return credentials

    async def _warm_managed_identity(self, key: tuple[str, str, str], credentials: AppCredentials) -> None:
        """botbuilder's managed-identity credentials ask MSAL on the calling thread, which fetches from the
        identity endpoint on a cache miss: fetch in a worker thread now and then, so the event loop only
        ever reads MSAL's cache."""
        warmed = self._warmed.get(key)
        if warmed is not None and time.monotonic() - warmed < MSI_WARM_SECONDS:
            return
        await asyncio.to_thread(credentials.get_access_token)
        self._warmed[key] = time.monotonic()

    async def _build(
        self, app_id: str, scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        if self._msi is not None:
            managed: Authentication = await self._msi.create_credentials(
                app_id, scope, login_endpoint, validate_authority
            )
            return managed
        assert self.password is not None
        tenant = self.tenant or AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT
        authority = login_endpoint or AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX + tenant
        if self.tenant and authority.rstrip("/").lower().endswith("/botframework.com"):
            authority = authority.rstrip("/").rsplit("/", 1)[0] + "/" + self.tenant
        return CachedTokenCredentials(
            app_id=app_id, password=self.password, tenant=self.tenant, scope=scope, authority=authority
        )


def is_network_failure(exc: BaseException) -> bool:
    """True when fetching keys or metadata failed (retryable), not when the token itself is bad."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, PermissionError):  # an OSError subclass, but the SDK's "bad token"
            return False
        if isinstance(seen, requests.RequestException | ConnectionError | TimeoutError | socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
