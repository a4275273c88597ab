"""One Bot Connector client per service URL for the life of the process, keeping botbuilder's authentication.

botbuilder 4.17.1 (archived) builds a new `ConnectorClient` for every turn and every proactive send: a new
msrest Configuration, retry policy and pipeline, and a new `requests` session, so every call opened a new
HTTPS connection. Under 20 concurrent senders that was 42.6 ms of CPU per message, 58% of it TLS handshakes
(issue 16). Here the client for a (service URL, audience) is built once and reused, so its session keeps its
connections alive; credentials still come from the credentials factory on every call, which keeps the token
fresh off the event loop (`credentials.py`). Sending, replying and updating go over one pooled aiohttp
session instead of the client's `requests` (`connector_http.py`). The user-token client (OAuth prompts,
unused by the coach but built by the adapter every turn) is built once per app id.

The calls left to the client (members) run `requests` in asyncio's default executor, up to 32 threads at
once, through one session per client: its pool is sized to those threads, not urllib3's 10 per host, which
discarded the connections of the other threads ("Connection pool is full") and reopened them next time.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import requests
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

from adapters.teams.connector_http import USER_AGENT, ConnectorSession, PooledConnectorClient

MOST_CLIENTS = 64  # service URLs are one per region; more than this and the least recently used goes
EXECUTOR_THREADS_AT_MOST = 32  # asyncio's default executor: ThreadPoolExecutor's min(32, cpus + 4)


class ConnectorPool:
    def __init__(self, limit: int = MOST_CLIENTS) -> None:
        self.limit = limit
        self.session = ConnectorSession()
        self._clients: OrderedDict[tuple[str, str, str], PooledConnectorClient] = OrderedDict()

    def client(self, key: tuple[str, str, str], credentials: Any) -> PooledConnectorClient:
        client = self._clients.get(key)
        if client is not None and client.config.credentials is credentials:
            self._clients.move_to_end(key)
            return client
        inner = ConnectorClient(credentials, base_url=key[1])
        inner.config.add_user_agent(USER_AGENT)
        _pool_per_thread(inner)
        client = PooledConnectorClient(inner, self.session)
        self._clients[key] = client
        while len(self._clients) > self.limit:
            self._clients.popitem(last=False)
        return client

    async def close(self) -> None:
        """Close every client's connections (at shutdown)."""
        clients, self._clients = list(self._clients.values()), OrderedDict()
        for client in clients:
            await client.close()
        await self.session.close()


def _pool_per_thread(client: ConnectorClient) -> None:
    """Give the client's `requests` driver a session keeping a connection per executor thread. Set on the
    event loop's thread, where msrest reads its (thread-local) session; the setter applies its retry policy.

    That policy (urllib3's) would wait out a 429's Retry-After itself, uncapped, in a worker thread, and
    try again behind the tenant's shared pace: it is told not to, so the 429 reaches the coach, which
    pauses the tenant for every process (`throttle.py`)."""
    client.config.retry_policy.policy.respect_retry_after_header = False
    session = requests.Session()
    for scheme in ("https://", "http://"):
        session.mount(scheme, requests.adapters.HTTPAdapter(pool_maxsize=EXECUTOR_THREADS_AT_MOST))
    client.config.pipeline._sender.driver.session = session  # the archived SDK's sender, as msrest builds it


class PooledConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """What botbuilder's `_ConnectorFactoryImpl.create` does, with the client taken from the pool."""

    def __init__(self, inner: ConnectorFactory, pool: ConnectorPool) -> None:
        # The archived SDK's private fields, read once: a change to them fails here, at start-up or in tests.
        self._app_id: str = inner._app_id
        self._scope: str = inner._to_channel_from_bot_oauth_scope
        self._login_endpoint: str = inner._login_endpoint
        self._validate_authority: bool = inner._validate_authority
        self._credentials = inner._credential_factory
        self._pool = pool

    async def create(self, service_url: str, audience: str | None = None) -> PooledConnectorClient:
        scope = audience or self._scope
        credentials = await self._credentials.create_credentials(
            self._app_id, scope, self._login_endpoint, self._validate_authority
        )
        return self._pool.client((self._app_id or "", service_url, scope), credentials)


class PooledAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication, unchanged, whose connector factories share one pool of clients."""

    def __init__(self, inner: BotFrameworkAuthentication, pool: ConnectorPool | None = None) -> None:
        self.inner = inner
        self.pool = pool or ConnectorPool()
        self._user_token_clients: dict[str, UserTokenClient] = {}

    def _pooled(self, factory: ConnectorFactory | None) -> ConnectorFactory | None:
        if factory is None or isinstance(factory, PooledConnectorFactory):
            return factory
        return PooledConnectorFactory(factory, self.pool)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result: AuthenticateRequestResult = await self.inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._pooled(result.connector_factory)
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        result: AuthenticateRequestResult = await self.inner.authenticate_streaming_request(
            auth_header, channel_id_header
        )
        result.connector_factory = self._pooled(result.connector_factory)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._pooled(self.inner.create_connector_factory(claims_identity))

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM) or (
            claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM) or ""
        )
        client = self._user_token_clients.get(app_id)
        if client is None:
            client = await self.inner.create_user_token_client(claims_identity)
            self._user_token_clients[app_id] = client
        return client

    def create_bot_framework_client(self) -> Any:
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        audience: str = self.inner.get_originating_audience()
        return audience

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        identity: ClaimsIdentity = await self.inner.authenticate_channel_request(auth_header)
        return identity
