"""Issue 15's figures on Teams: the rollout of `bench.rollout_bench` under Teams' per-conversation and
per-tenant limits.

`coach run` on Teams configuration (an app id and password, tokens from the fake's https token endpoint,
inbound activities signed with its test key) against the Teams fake (tests/fakes/teams_connector.py), which
enforces Teams' per-conversation windows and the per-app limit in a tenant (50/s) with time compressed
`SCALE`× (every window divided by it); the coach runs with `COACH_QUOTA_SCALE=SCALE` and a lease scaled the
same way. Teams lets a bot write first only to people who installed the app or share a team with it, so
of `PEOPLE` people half wrote to the coach before (a stored personal conversation) and half are known by
email only, matched at start-up through the paged roster of a team whose channel the coach has seen; the
first message to one of those creates the 1:1 conversation (one request in the tenant's window). A burst
of first contacts from the roster half, then a critical announcement to everyone, `coach run` killed a
third of the way and restarted (SQLite 1 process, PostgreSQL 2).

The bound is the announcement's sends plus the conversations it has to create, at the modelled per-tenant
limit. `SCALE` is 2 by default (BENCH_ROLLOUT_TEAMS_SCALE): at 10× the tenant allows 500 requests a second,
more than one process sends on a small machine, and the bench would measure the CPU, not the pacing.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import func, insert, select, text
from sqlmodel import col

from bench.rollout_bench import PEOPLE, _announce, _ready, _say, _until, on_both_databases, stop_all
from bot.channels.models import ChannelAddress
from bot.migrations.migrate import upgrade
from bot.people.models import Identity, Person
from bot.store.db import Store
from tests.fakes.teams_connector import APP_ID, ISSUER, FakeBotFramework, local_tls
from tests.process.coach import free_port

PROJECT = Path(__file__).resolve().parents[1]
SCALE = float(os.environ.get("BENCH_ROLLOUT_TEAMS_SCALE", "2"))
PER_TENANT = 50 * SCALE  # requests per second (the fake's PER_APP_IN_TENANT)
BURST = min(200, PEOPLE // 4)
TENANT = "tenant-rollout"
CHANNEL = "19:rollout@thread.skype"
BOT = {"id": f"28:{APP_ID}", "name": "Coach"}
PASSWORD = "rollout-app-password"
API_TOKEN = "rollout-api-token"
TITLE = "Compass is down"


def _coach(url: str, fake: FakeBotFramework, ca: Path, port: int) -> subprocess.Popen[bytes]:
    base = fake.base_url
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))},
        "COACH_DATABASE_URL": url,
        "COACH_PORT": str(port),
        "COACH_CONTENT_DIR": str(PROJECT / "content"),
        "COACH_LOCAL_CHAT": "false",
        "COACH_LOG_LEVEL": "WARNING",
        "COACH_API_TOKEN": API_TOKEN,
        "COACH_QUOTA_SCALE": str(SCALE),
        "COACH_OUTBOX_LEASE_SECONDS": str(120 / SCALE),
        "COACH_DUE_WORK_LEASE_SECONDS": "5",
        "REQUESTS_CA_BUNDLE": str(ca),
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": PASSWORD,
        "TEAMS_OPENID_METADATA_URL": f"{base}/openid/.well-known/openid-configuration",
        "TEAMS_TOKEN_ISSUER": ISSUER,
        "TEAMS_LOGIN_URL": f"{base}/adfs",
        "TEAMS_OAUTH_SCOPE": "https://api.botframework.com",
        "TEAMS_OAUTH_URL": f"{base}/oauth",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "run"],
        env=env,
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _account(n: int) -> dict[str, Any]:
    return {"id": f"29:p{n}", "name": f"Person {n}", "aadObjectId": f"aad-p{n}", "email": f"p{n}@example.com",
            "userPrincipalName": f"p{n}@example.com", "tenantId": TENANT, "userRole": "user"}  # fmt: skip


def _populate(url: str, fake: FakeBotFramework) -> None:
    """Everyone is in the team's roster; even numbers wrote to the coach before (a personal conversation
    stored), odd ones are known by email only; the coach has seen the team's channel."""
    now = datetime.now(UTC)
    service_url = fake.base_url + "/"
    fake.members[CHANNEL] = [_account(n) for n in range(PEOPLE)]
    fake.people = {f"29:p{n}": _account(n) for n in range(1, PEOPLE, 2)}  # GetConversationMember in a chat
    store = Store(url)
    with store.session() as session:
        people = [{"email": f"p{n}@example.com", "display_name": f"Person {n}", "created_at": now,
                   "workday_start": 0, "workday_end": 24} for n in range(PEOPLE)]  # fmt: skip
        session.execute(insert(Person), people)
        ids = dict(session.execute(text("SELECT email, id FROM person")).all())

        def personal(n: int) -> dict[str, Any]:
            return {"user": {"id": f"29:p{n}", "aadObjectId": f"aad-p{n}"}, "bot": BOT, "channelId": "msteams",
                    "serviceUrl": service_url, "conversation": {"id": f"a:personal-p{n}",
                    "conversationType": "personal", "tenantId": TENANT}}  # fmt: skip

        identities = [{"person_id": ids[f"p{n}@example.com"], "platform": "teams", "workspace": TENANT,
                       "user_id": f"aad-p{n}", "address": personal(n), "reachable": True, "last_seen_at": now}
                      for n in range(0, PEOPLE, 2)]  # fmt: skip
        session.execute(insert(Identity), identities)
        channel = {"bot": BOT, "channelId": "msteams", "serviceUrl": service_url,
                   "conversation": {"id": CHANNEL, "conversationType": "channel", "isGroup": True,
                                    "tenantId": TENANT}}  # fmt: skip
        session.add(ChannelAddress(platform="teams", workspace=TENANT, channel_id=CHANNEL, address=channel,
                                   seen_at=now))  # fmt: skip
        session.commit()
    store.close()


def _identities(url: str) -> int:
    store = Store(url)
    try:
        with store.session() as session:
            query = select(func.count()).select_from(Identity).where(col(Identity.platform) == "teams")
            return int(session.execute(query).scalar_one())
    finally:
        store.close()


class Announced:
    """Who received the announcement (person -> copies), read from the fake's calls as they come."""

    def __init__(self, fake: FakeBotFramework) -> None:
        self.fake = fake
        self.seen = 0
        self.copies: Counter[str] = Counter()

    def __call__(self) -> Counter[str]:
        calls = self.fake.calls
        for call in calls[self.seen :]:
            if call.method == "POST" and TITLE in json.dumps(call.body):
                person = call.conversation_id.removeprefix("a:personal-").removeprefix("a:1on1-29:")
                self.copies[person] += 1
        self.seen = len(calls)
        return self.copies


async def _first_contacts(port: int, fake: FakeBotFramework) -> dict[str, float]:
    """A burst of personal messages from people known only by email (odd numbers): acks timed, all at once
    (a Teams reply is sent in the turn, so the ack comes after it)."""
    service_url = fake.base_url + "/"
    token = fake.token(service_url=service_url)

    async def one(http: aiohttp.ClientSession, n: int) -> float:
        body = {"type": "message", "id": f"burst-{n}", "timestamp": datetime.now(UTC).isoformat(),
                "serviceUrl": service_url, "channelId": "msteams",
                "from": {"id": f"29:p{n}", "name": f"Person {n}", "aadObjectId": f"aad-p{n}"},
                "conversation": {"conversationType": "personal", "id": f"a:personal-p{n}", "tenantId": TENANT},
                "recipient": BOT, "textFormat": "plain", "text": "hi",
                "channelData": {"tenant": {"id": TENANT}}}  # fmt: skip
        started = time.perf_counter()
        async with http.post(
            f"http://127.0.0.1:{port}/api/messages", json=body, headers={"Authorization": f"Bearer {token}"}
        ) as response:
            await response.read()
            assert response.status < 300, response.status
        return time.perf_counter() - started

    async with aiohttp.ClientSession() as http:
        acks = sorted(await asyncio.gather(*(one(http, n) for n in range(1, 2 * BURST, 2))))
    return {"ack_p50": acks[len(acks) // 2], "ack_p99": acks[int(len(acks) * 0.99) - 1]}


async def rollout(url: str, processes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        context, ca = local_tls(Path(folder))
        fake = FakeBotFramework(require_token=True, keep_alive=True, password=PASSWORD, time_scale=SCALE)
        server = TestServer(fake.app(), host="127.0.0.1")
        await server.start_server(ssl=context)
        fake.base_url = str(server.make_url("")).rstrip("/")
        upgrade(url)
        _populate(url, fake)
        procs: list[subprocess.Popen[bytes]] = []
        try:
            port = free_port()
            procs += [_coach(url, fake, ca, port)] + [
                _coach(url, fake, ca, free_port()) for _ in range(processes - 1)
            ]
            await _ready(port)
            _say("teams: ready")
            deadline = time.monotonic() + 120  # the start-up match reads the roster's pages
            while _identities(url) < PEOPLE and time.monotonic() < deadline:  # noqa: ASYNC110 (another process)
                await asyncio.sleep(0.5)
            _say(f"teams: {_identities(url)} of {PEOPLE} reachable")
            contacts = await _first_contacts(port, fake)
            await asyncio.sleep(2)  # the welcomes settle
            unreachable = PEOPLE - _identities(url)
            announced = Announced(fake)
            calls_before, refused_before, created_before = len(fake.calls), fake.throttled, len(fake.created)
            creates_needed = len(range(1, PEOPLE, 2)) - BURST  # roster people with no conversation yet
            started = await _announce(port)
            await _until(announced, 30, every=0.005, what="teams: first recipient")
            first_after = time.perf_counter() - started
            await _until(lambda: len(announced()) >= PEOPLE // 3, 600, what="teams: a third: kill -9")
            procs[0].send_signal(signal.SIGKILL)
            procs[0].wait(timeout=10)
            at_kill = len(announced())
            procs.append(_coach(url, fake, ca, free_port()))  # the killed one, restarted
            await _until(lambda: len(announced()) >= PEOPLE - unreachable, 1200, every=0.1, what="teams: all")
            seconds = time.perf_counter() - started
            await asyncio.sleep(2)  # anything still in flight would show up as a double now
            posted = announced()
            created = len(fake.created) - created_before
            calls = len(fake.calls) - calls_before + created
            return {
                "seconds": seconds,
                "bound": (PEOPLE + creates_needed) / PER_TENANT,
                "refused_share": (fake.throttled - refused_before)
                / max(1, calls + fake.throttled - refused_before),
                "calls": calls,
                "created": created,
                "lost": PEOPLE - len(posted),
                "unreachable": unreachable,
                "doubled": sum(1 for n in posted.values() if n > 1),
                "send_now": first_after,
                "at_kill": at_kill,
                **contacts,
            }
        finally:
            stop_all(procs)
            await server.close()


def row(label: str, r: dict[str, Any]) -> str:
    return (
        f"| {label} | {r['seconds']:.0f} s vs {r['bound']:.0f} s bound = **{r['seconds'] / r['bound']:.2f}×** "
        f"(≤ 1.2×) | {100 * r['refused_share']:.1f}% of {r['calls']:,} calls (< 5%) | none (Teams has no "
        f"look-back), {r['created']} conversations created | lost {r['lost']} (0; {r['unreachable']} "
        f"unreachable), doubled {r['doubled']} (≤ 1 per crash) | {r['send_now'] * 1000:.0f} ms (< 1 s) "
        f"| {BURST} first contacts: ack p50 {r['ack_p50'] * 1000:.0f} ms, p99 {r['ack_p99'] * 1000:.0f} ms "
        f"| killed after {r['at_kill']:,} |"
    )


def main() -> None:
    """Rows for the rollout table: SQLite with one process, PostgreSQL with two."""
    on_both_databases(f"Teams ×{SCALE:g}", rollout, row)
