"""A local Bot Framework for tests: OpenID metadata + signing keys, a token endpoint, and a Bot Connector.

- `GET /openid/.well-known/openid-configuration` and `GET /openid/keys` serve a test RSA key endorsed for
  `msteams` (kid "teams") and one with no endorsements (kid "plain").
- `POST/PUT /v3/conversations/{id}/activities[/{activity_id}]` record what the bot sends, demand a bearer
  token when `require_token` is set and a JSON body (415 otherwise), answer 403 for conversations in `gone`, 404 for an update of an
  activity the bot did not send in that conversation, and enforce Teams' per-conversation limits
  (7/1 s, 8/2 s, 60/30 s, 1,800/h) and the per-app-in-tenant limit (50/s) with 429 + Retry-After (the
  body says nothing of which limit, as Teams'; `throttled_tenant` and `throttled_conversation` count them).
- `POST /v3/conversations` (CreateConversation) opens a 1:1 conversation with a member of a roster it serves
  (403 for anyone else: Teams lets a bot write first only to people who share a team with it or installed
  the app), the same id for the same member each time, counted against the per-app-in-tenant limit.
- `time_scale` compresses time: every window is divided by it (so every rate is multiplied), for benches
  that model a real rollout in minutes; the coach then runs with the same COACH_QUOTA_SCALE.
- `POST /adfs/oauth2/token` (+ its OpenID metadata) issues app tokens to MSAL when served over https.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import itertools
import json
import ssl
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Teams' documented limits (../shared/PLATFORM_RULES.md), stated here rather than imported from the code
# under test. This fake serves one tenant, so the per-app-per-tenant limit is app-wide here.
PER_CONVERSATION = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
PER_APP_IN_TENANT = ((1.0, 50),)
MAX_ACTIVITY_BYTES = 28 * 1024  # "message size ≤ 28 KB" (PLATFORM_RULES.md)
ISSUER = "https://api.botframework.com"
APP_ID = "00000000-0000-0000-0000-00000000b075"
ACCESS_TOKEN = "fake-connector-token"
MSI_HEADER = "fake-identity-header"  # what App Service puts in IDENTITY_HEADER


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str] | None) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    jwk: dict[str, Any] = {"kty": "RSA", "use": "sig", "kid": kid, "n": _b64(numbers.n), "e": _b64(numbers.e)}
    if endorsements is not None:
        jwk["endorsements"] = endorsements
    return jwk


@dataclass
class Call:
    method: str
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any]
    authorization: str | None
    sent_id: str | None = None  # the id the connector gave a POSTed activity (what a click replies to)


@dataclass
class FakeBotFramework:
    require_token: bool = False
    gone: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    token_requests: int = 0
    base_url: str = ""  # set once the server listens
    keys_fail: bool = False
    members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # conversation -> roster
    member_requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    password: str | None = None  # when set, the token endpoint wants this client secret (AADSTS7000215)
    keep_alive: bool = False  # as Teams does; off by default, so that no test leaks sockets past the server
    connections: set[tuple[str, int]] = field(default_factory=set)  # client (host, port) of connector calls
    members_barrier: asyncio.Barrier | None = None  # member requests wait until its parties all arrived
    people: dict[str, dict[str, Any]] = field(default_factory=dict)  # "29:…" id -> account, in chats
    member_lookups: list[tuple[str, str]] = field(default_factory=list)  # (conversation, member) asked
    retry_after: str | None = None  # when set, every 429's Retry-After (a test of how a pause is obeyed)
    members_refused: int = 0  # the next this many paged-member requests answer 429 (a tenant's limit)
    time_scale: float = 1.0  # every window divided by it (rates multiplied): time-compressed benches
    created: list[str] = field(default_factory=list)  # member ids a 1:1 conversation was created for

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._ids = itertools.count(1)
        self._sent: defaultdict[str, list[float]] = defaultdict(list)
        self._posted: defaultdict[str, set[str]] = defaultdict(set)  # conversation -> activity ids sent
        self.throttled = 0  # 429s answered
        self.throttled_tenant = 0  # of which for the per-app-in-tenant limit
        self.throttled_conversation = 0  # and for a conversation's
        self.app_limits = PER_APP_IN_TENANT  # a test may stretch the window so that speed doesn't matter
        self._reachable: set[str] = set()  # member ids of the rosters (and chats), for CreateConversation

    # --- tokens the channel would send to the bot ------------------------------------------------

    def token(
        self,
        *,
        service_url: str,
        audience: str = APP_ID,
        issuer: str = ISSUER,
        expires_in: int = 3600,
        kid: str = "teams",
        sign_with: rsa.RSAPrivateKey | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 10,
            "exp": now + expires_in,
        }
        return jwt.encode(claims, sign_with or self.key, algorithm="RS256", headers={"kid": kid})

    # --- what the bot sent ---------------------------------------------------------------------

    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for call in self.calls
            for a in call.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    def sent_id(self, card: dict[str, Any]) -> str:
        """The activity id the connector gave the activity that carried `card` (a click replies to it)."""
        for call in self.calls:
            attachments = call.body.get("attachments") or []
            if call.sent_id and any(a.get("content") == card for a in attachments):
                return call.sent_id
        raise AssertionError("that card was not posted (or bf.calls was cleared since)")

    def texts(self) -> list[str]:
        """Every TextBlock/TextRun text of every card sent, for loose assertions."""
        out: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") in ("TextBlock", "TextRun") and isinstance(node.get("text"), str):
                    out.append(node["text"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.cards())
        return out

    # --- the server ----------------------------------------------------------------------------

    def app(self) -> web.Application:
        # No keep-alive: the bot's `requests` sessions would otherwise hold sockets past the server's life.
        @web.middleware
        async def close_connections(request: web.Request, handler: Any) -> web.StreamResponse:
            response: web.StreamResponse = await handler(request)
            if not self.keep_alive:
                response.force_close()
            return response

        app = web.Application(middlewares=[close_connections])
        app.router.add_get("/openid/.well-known/openid-configuration", self._openid)
        app.router.add_get("/openid/keys", self._keys)
        app.router.add_get("/adfs/.well-known/openid-configuration", self._adfs_metadata)
        app.router.add_post("/adfs/oauth2/token", self._adfs_token)
        app.router.add_get("/msi/token", self._managed_identity_token)
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._activity)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._activity)
        app.router.add_get("/v3/conversations/{conversation}/pagedmembers", self._paged_members)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        return app

    async def _paged_members(self, request: web.Request) -> web.Response:
        """GetConversationPagedMembers: `pageSize` and `continuationToken` (here: an offset) in the query."""
        conversation = request.match_info["conversation"]
        if self.require_token and request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        self.member_requests.append((conversation, dict(request.query)))
        if self.members_refused > 0:  # Teams counts roster reads under the app's limit in the tenant
            self.members_refused -= 1
            self.throttled += 1
            self.throttled_tenant += 1
            headers = {"Retry-After": self.retry_after or "1"}
            return web.json_response({"error": {"code": "Throttled"}}, status=429, headers=headers)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer:
            self.connections.add((str(peer[0]), int(peer[1])))
        if self.members_barrier is not None:
            await self.members_barrier.wait()
        if conversation not in self.members:
            return web.json_response({"error": {"code": "ConversationNotFound"}}, status=404)
        roster = self.members[conversation]
        start = int(request.query.get("continuationToken") or 0)
        size = int(request.query.get("pageSize") or 50)
        body: dict[str, Any] = {"members": roster[start : start + size]}
        if start + size < len(roster):
            body["continuationToken"] = str(start + size)
        return web.json_response(body)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        """CreateConversation for one member (a 1:1 chat): `a:1on1-<member id>`, the same id every time."""
        if self.require_token and request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        body = await request.json()
        members = body.get("members") or []
        member = str(members[0].get("id") or "") if len(members) == 1 and not body.get("isGroup") else ""
        if member not in self._reachable:  # looked up again only on a miss: rosters are large in benches
            self._reachable = {str(m.get("id")) for r in self.members.values() for m in r} | set(self.people)
        if member not in self._reachable:
            return web.json_response(
                {"error": {"code": "Forbidden", "message": "no shared team"}}, status=403
            )
        retry_after = self._throttle(None)
        if retry_after is not None:
            return web.json_response(
                {"error": {"code": "Throttled"}},
                status=429,
                headers={"Retry-After": str(int(retry_after) + 1)},
            )
        self.created.append(member)
        return web.json_response({"id": f"a:1on1-{member}"}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        """GetConversationMember: one account (email, userPrincipalName) by its id or AAD object id, from
        the conversation's roster when one is set, else from `people` (a chat's members)."""
        conversation = request.match_info["conversation"].split(";messageid=")[0]
        member = request.match_info["member"]
        if self.require_token and request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        self.member_lookups.append((conversation, member))
        accounts = self.members.get(conversation, list(self.people.values()))
        found = [a for a in accounts if member in (a.get("id"), a.get("aadObjectId"))]
        if not found:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "The member was not found"}},
                status=404,
            )
        return web.json_response(found[0])

    async def _openid(self, _request: web.Request) -> web.Response:
        if self.keys_fail:
            return web.Response(status=503)
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.base_url}/openid/keys"})

    async def _keys(self, _request: web.Request) -> web.Response:
        keys = [_jwk(self.key, "teams", ["msteams"]), _jwk(self.other_key, "plain", [])]
        return web.json_response({"keys": keys})

    async def _adfs_metadata(self, _request: web.Request) -> web.Response:
        base = f"{self.base_url}/adfs"
        return web.json_response(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/oauth2/authorize",
                "token_endpoint": f"{base}/oauth2/token",
            }
        )

    async def _adfs_token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials" or form.get("client_id") != APP_ID:
            return web.json_response({"error": "invalid_client"}, status=401)
        if self.password is not None and form.get("client_secret") != self.password:
            description = "AADSTS7000215: Invalid client secret provided."
            return web.json_response(
                {"error": "invalid_client", "error_description": description}, status=401
            )
        self.token_requests += 1
        return web.json_response({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600})

    async def _managed_identity_token(self, request: web.Request) -> web.Response:
        """Azure App Service's managed-identity endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER), as MSAL calls it."""
        query = request.query
        if request.headers.get("X-IDENTITY-HEADER") != MSI_HEADER or query.get("client_id") != APP_ID:
            return web.json_response({"statusCode": 400, "message": "unknown identity"}, status=400)
        if query.get("api-version") != "2019-08-01" or not query.get("resource"):
            return web.json_response({"statusCode": 400, "message": "bad request"}, status=400)
        self.token_requests += 1
        expires = str(int(time.time()) + 3600)
        body = {
            "access_token": ACCESS_TOKEN,
            "expires_on": expires,
            "resource": query["resource"],
            "token_type": "Bearer",
        }
        return web.json_response(body)

    async def _activity(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer:
            self.connections.add((str(peer[0]), int(peer[1])))
        authorization = request.headers.get("Authorization")
        if self.require_token and authorization != f"Bearer {ACCESS_TOKEN}":
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        base = conversation.split(";messageid=")[0]
        if base in self.gone:
            return web.json_response(
                {"error": {"code": "Forbidden", "message": "bot not installed"}}, status=403
            )
        retry_after = self._throttle(base)
        if retry_after is not None:
            return web.json_response(
                {"error": {"code": "Throttled"}},
                status=429,
                headers={"Retry-After": self.retry_after or str(int(retry_after) + 1)},
            )
        if request.content_type != "application/json":  # the connector reads JSON and nothing else
            return web.json_response({"error": {"code": "BadArgument"}}, status=415)
        raw = await request.text()
        if len(raw.encode("utf-8")) > MAX_ACTIVITY_BYTES:  # Teams refuses a message over about 28 KB
            return web.json_response(
                {"error": {"code": "MessageSizeTooBig", "message": "Message size too big"}}, status=413
            )
        body = json.loads(raw)
        activity_id = request.match_info.get("activity")
        if request.method == "PUT" and activity_id not in self._posted[base]:
            # Teams updates only an activity the bot sent in that conversation.
            return web.json_response(
                {"error": {"code": "NotFound", "message": "activity not found"}}, status=404
            )
        if request.method == "PUT":
            self.calls.append(Call(request.method, conversation, activity_id, body, authorization))
            return web.json_response({"id": activity_id})
        posted = f"reply-{next(self._ids)}"
        self._posted[base].add(posted)
        self.calls.append(Call(request.method, conversation, activity_id, body, authorization, posted))
        return web.json_response({"id": posted})

    def _throttle(self, conversation: str | None) -> float | None:
        """Seconds to wait (429) if one more request to `conversation` (None: the app's alone) would
        break a window, else None and the request counts."""
        now = time.monotonic()
        windows = ((conversation, PER_CONVERSATION),) if conversation is not None else ()
        for key, limits in (*windows, ("app", self.app_limits)):
            horizon = max((w for w, _ in limits), default=0.0) / self.time_scale
            self._sent[key] = [t for t in self._sent[key] if t > now - horizon]  # bounded by the limits
            for window, limit in limits:
                span: float = window / self.time_scale
                recent = [t for t in self._sent[key] if t > now - span]
                if len(recent) >= limit:
                    self.throttled += 1
                    if key == "app":
                        self.throttled_tenant += 1
                    else:
                        self.throttled_conversation += 1
                    return recent[-limit] + span - now if limit else span
        if conversation is not None:
            self._sent[conversation].append(now)
        self._sent["app"].append(now)
        return None


def local_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A throwaway CA and a certificate for 127.0.0.1: (server SSL context, CA bundle path)."""
    now = datetime.now(UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("coach test CA"))
        .issuer_name(name("coach test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = folder / "ca.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path = folder / "server.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = folder / "server.key"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context, ca_path
