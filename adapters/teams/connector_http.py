"""The Bot Connector calls on the hot path (send, reply, update an activity) over one pooled aiohttp client.

botbuilder's connector client (msrest, archived) sends from worker threads through `requests`, and walks
every Adaptive Card dict with its serializer on the event loop: after connections were kept alive, that
was most of what a Teams reply still cost (issue 16). These three calls (and CreateConversation, once per
team member first written to in a rollout) are made here instead: the
activity's envelope is still serialised by botbuilder's own model, its card content is plain JSON written
once with orjson, and the request goes out on kept-alive connections of one aiohttp session (its connector
pools connections per service URL host). The token is the one botbuilder's credentials hold (cached until
shortly before it expires by `credentials.py`), set as msrest would set it. Every other connector call
(members, conversations, OAuth) still goes through botbuilder's client.

No retries here: a refused or failed call raises, and the caller decides (the outbox backs off, a reply
in a turn is tried once more) — msrest retried 5xx on its own, which could post a message twice.
"""

from __future__ import annotations

import os
import ssl
from typing import Any
from urllib.parse import quote

import aiohttp
import certifi
import orjson
from botbuilder.schema import Activity, ConversationParameters, ConversationResourceResponse, ResourceResponse
from botframework.connector.auth import AuthenticationConstants
from yarl import URL

USER_AGENT = "Microsoft-BotFramework/3.1 (BotBuilder Python/4.17.1)"
TIMEOUT = aiohttp.ClientTimeout(total=30, sock_connect=10)
MOST_CONNECTIONS_PER_HOST = 32  # Teams' own per-tenant limits keep far fewer requests in flight per host


class ConnectorError(Exception):
    """The Bot Connector answered a call with a refusal."""

    def __init__(self, status: int, retry_after: str | None, detail: str) -> None:
        super().__init__(f"Bot Connector answered {status}: {detail[:200]}")
        self.status = status
        self.retry_after = retry_after


def trusted_roots() -> ssl.SSLContext:
    """The roots `requests` (and so botbuilder's client and MSAL) trust: a bundle named in the environment,
    else certifi's, so that moving these calls to aiohttp changes no one's trust."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()
    return ssl.create_default_context(cafile=bundle)


class ConnectorSession:
    """One aiohttp session for every service URL, opened on first use (it needs the running loop)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(ssl=trusted_roots(), limit_per_host=MOST_CONNECTIONS_PER_HOST)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}
            )
        return self._session

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def authorization(credentials: Any) -> str | None:
    """The header msrest would set from these credentials (`AppCredentials.signed_session`): none without
    an app id (local trials), else their token (cached; fetched in a thread before the turn or send)."""
    app_id = getattr(credentials, "microsoft_app_id", None)
    if not app_id or app_id == AuthenticationConstants.ANONYMOUS_SKILL_APP_ID:
        return None
    return f"Bearer {credentials.get_access_token()}"


def activity_json(activity: Activity) -> bytes:
    """The activity as the connector wants it. The envelope goes through botbuilder's model (its field
    names and types); card content, plain dicts from `render`, is written as it is."""
    attachments = activity.attachments
    activity.attachments = None
    try:
        body: dict[str, Any] = activity.serialize()
    finally:
        activity.attachments = attachments
    if attachments:
        body["attachments"] = [_attachment(attachment) for attachment in attachments]
    try:
        return orjson.dumps(body)
    except TypeError:  # content that is not plain JSON (a botbuilder model in a card): the model's way
        return orjson.dumps(activity.serialize())


def _attachment(attachment: Any) -> dict[str, Any]:
    fields = (
        ("contentType", attachment.content_type),
        ("contentUrl", attachment.content_url),
        ("content", attachment.content),
        ("name", attachment.name),
        ("thumbnailUrl", attachment.thumbnail_url),
    )
    return {key: value for key, value in fields if value is not None}


class PooledConversations:
    """A connector client's `conversations`, with the hot calls over the shared session."""

    def __init__(self, inner: Any, session: ConnectorSession, base_url: str, credentials: Any) -> None:
        self._inner = inner
        self._session = session
        self._base = base_url.rstrip("/") + "/v3/conversations/"
        self._credentials = credentials

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)  # every other operation: botbuilder's own

    async def send_to_conversation(self, conversation_id: str, activity: Activity, **_: Any) -> Any:
        return await self._call("POST", conversation_id, None, activity)

    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, activity: Activity, **_: Any
    ) -> Any:
        return await self._call("POST", conversation_id, activity_id, activity)

    async def update_activity(
        self, conversation_id: str, activity_id: str, activity: Activity, **_: Any
    ) -> Any:
        return await self._call("PUT", conversation_id, activity_id, activity)

    async def create_conversation(self, parameters: ConversationParameters, **_: Any) -> Any:
        answer = await self._request("POST", self._base.rstrip("/"), orjson.dumps(parameters.serialize()), {})
        return ConversationResourceResponse(id=answer.get("id")) if isinstance(answer, dict) else None

    async def _call(
        self, method: str, conversation_id: str, activity_id: str | None, activity: Activity
    ) -> ResourceResponse | None:
        path = self._base + quote(conversation_id, safe="") + "/activities"
        if activity_id:
            path += "/" + quote(activity_id, safe="")
        answer = await self._request(
            method, path, activity_json(activity), {"x-ms-conversation-id": conversation_id}
        )
        return ResourceResponse(id=answer.get("id")) if isinstance(answer, dict) else None

    async def _request(self, method: str, path: str, body: bytes, extra: dict[str, str]) -> Any:
        """The connector's JSON answer (None if empty); a refusal raises ConnectorError."""
        headers = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8", **extra}
        token = authorization(self._credentials)
        if token:
            headers["Authorization"] = token
        async with self._session.get().request(
            method, URL(path, encoded=True), data=body, headers=headers
        ) as response:
            raw = await response.read()
            if response.status not in (200, 201, 202):
                detail = raw.decode("utf-8", "replace")
                raise ConnectorError(response.status, response.headers.get("Retry-After"), detail)
        return orjson.loads(raw) if raw else None


class PooledConnectorClient:
    """botbuilder's connector client for one service URL, its `conversations` partly over the shared
    session; everything else (its `config`, members, Teams operations) is the client's own."""

    def __init__(self, client: Any, session: ConnectorSession) -> None:
        self._client = client
        self.config = client.config
        self.conversations = PooledConversations(
            client.conversations, session, client.config.base_url, client.config.credentials
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    async def close(self) -> None:
        await self._client.__aexit__(None, None, None)  # msrest closes its requests session
