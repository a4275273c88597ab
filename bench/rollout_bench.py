"""Issue 15's figures: a rollout-size critical announcement under Slack's real quotas, with a crash.

10,000 people (half wrote to the coach before, half are known only by email and matched through the
directory), a burst of first contacts, then a critical announcement to everyone through
`POST /api/v1/announcements`, `coach run` killed (SIGKILL) a third of the way and restarted: one process
on SQLite, two on PostgreSQL (one of them killed and restarted). The Slack fake (tests/fakes/slack_api.py) enforces the published tiers and
chat.postMessage's workspace limit (600/min, modelled) with time compressed `SCALE`× (every per-minute
quota ×SCALE), and the coach runs with its defaults but `COACH_QUOTA_SCALE=SCALE` and a lease scaled the
same way (120 s / SCALE), so the ratios are those of a real rollout.

The bound is the announcement's sends at the workspace limit plus the DM opens it needs at Tier 3 (none:
DMs go to user ids). Report-only: prints a markdown table. `bench.rollout_teams` adds the same runs on
Teams; BENCH_ROLLOUT_PLATFORMS (`slack`, `teams`, default both) picks.
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
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, insert, text

from bot.migrations.migrate import upgrade
from bot.people.models import Identity, Person
from bot.store.db import Store
from tests.fakes.slack_api import TEAM, FakeSlackApi
from tests.process.coach import free_port, on_fake_slack

PROJECT = Path(__file__).resolve().parents[1]
PEOPLE = int(os.environ.get("BENCH_ROLLOUT_PEOPLE", "10000"))
SCALE = 10.0  # time compression
POSTS_PER_SECOND = 600 / 60 * SCALE
BURST = min(200, PEOPLE // 4)  # first contacts sent at once
SECRET = "rollout-secret"
API_TOKEN = "rollout-api-token"


def _coach(url: str, api: FakeSlackApi, port: int) -> subprocess.Popen[bytes]:
    settings = {
        "COACH_API_TOKEN": API_TOKEN,
        "COACH_QUOTA_SCALE": str(SCALE),
        "COACH_OUTBOX_LEASE_SECONDS": str(120 / SCALE),
        "COACH_DUE_WORK_LEASE_SECONDS": "5",  # 30 s / 10 would lapse on a loaded machine; 5 s still recovers soon
        "SLACK_SIGNING_SECRET": SECRET,
    }
    return on_fake_slack(url, api, cwd=PROJECT, settings=settings, port=port)


def _populate(url: str, api: FakeSlackApi) -> None:
    """Half the people wrote to the coach (an identity with their DM), half are known by email only."""
    now = datetime.now(UTC)
    for n in range(PEOPLE):
        api.add_user(f"U{n:05d}", email=f"p{n}@example.com", name=f"Person {n}")
    store = Store(url)
    with store.session() as session:
        session.execute(
            insert(Person),
            [
                {
                    "email": f"p{n}@example.com",
                    "display_name": f"Person {n}",
                    "created_at": now,
                    "workday_start": 0,
                    "workday_end": 24,
                }
                for n in range(PEOPLE)
            ],
        )
        ids = dict(session.execute(text("SELECT email, id FROM person")).all())
        session.execute(
            insert(Identity),
            [
                {
                    "person_id": ids[f"p{n}@example.com"],
                    "platform": "slack",
                    "workspace": TEAM,
                    "user_id": f"U{n:05d}",
                    "address": {"team": TEAM, "user": f"U{n:05d}", "channel": f"DU{n:05d}"},
                    "reachable": True,
                    "last_seen_at": now,
                }
                for n in range(0, PEOPLE, 2)
            ],
        )
        session.commit()
    store.close()


def _announced(api: FakeSlackApi) -> Counter[str]:
    keys: Counter[str] = Counter()
    for call in api.calls:
        if call.method == "chat.postMessage" and call.ok:
            key = ((call.args.get("metadata") or {}).get("event_payload") or {}).get("key", "")
            if key.startswith("announcement:"):
                keys[key] += 1
    return keys


async def _ready(port: int, within: float = 60) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError("coach run did not become ready")


async def _first_contacts(port: int) -> dict[str, float]:
    """A burst of DMs from people known only by email (odd numbers): acks timed, all at once."""

    async def one(http: aiohttp.ClientSession, n: int) -> float:
        body = json.dumps({
            "token": "x", "team_id": TEAM, "api_app_id": "A111", "type": "event_callback",
            "event_id": f"EvBurst{n}", "event_time": int(time.time()),
            "event": {"type": "message", "channel_type": "im", "user": f"U{n:05d}", "text": "hi",
                      "channel": f"DU{n:05d}", "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}"},
        })  # fmt: skip
        ts = str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body) or ""
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": signature}  # fmt: skip
        started = time.perf_counter()
        async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as response:
            await response.read()
            assert response.status == 200, response.status
        return time.perf_counter() - started

    async with aiohttp.ClientSession() as http:
        acks = sorted(await asyncio.gather(*(one(http, n) for n in range(1, 2 * BURST, 2))))
    return {"ack_p50": acks[len(acks) // 2], "ack_p99": acks[int(len(acks) * 0.99) - 1]}


async def _announce(port: int) -> float:
    body = {"key": f"rollout-{uuid.uuid4().hex[:8]}", "title": "Compass is down", "critical": True,
            "body": "Compass is unavailable until 14:00; use the fallback runbook.",
            "audience": {"kind": "everyone"}}  # fmt: skip
    async with aiohttp.ClientSession() as http:
        started = time.perf_counter()
        async with http.post(
            f"http://127.0.0.1:{port}/api/v1/announcements",
            json=body,
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        ) as response:
            assert response.status == 201, await response.text()
    return started


def _say(what: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {what}", file=sys.stderr, flush=True)


async def _until(condition: Any, limit: float, every: float = 0.05, what: str = "") -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the rollout did not get there in time: {what}")
        await asyncio.sleep(every)
    _say(what)


async def rollout(url: str, processes: int) -> dict[str, Any]:
    api = FakeSlackApi(time_scale=SCALE)
    await api.start()
    upgrade(url)
    _populate(url, api)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        port = free_port()
        procs.append(_coach(url, api, port))
        for _ in range(processes - 1):
            procs.append(_coach(url, api, free_port()))
        await _ready(port)
        _say("ready")
        contacts = await _first_contacts(port)
        await asyncio.sleep(2)  # the directory match and the welcomes settle
        calls_before = len(api.calls)
        refused_before = api.refused
        history_before = len(api.to("conversations.history"))
        opens_before = len(api.to("conversations.open"))
        started = await _announce(port)
        await _until(lambda: _announced(api), 30, every=0.005, what="first recipient")
        first_after = time.perf_counter() - started
        await _until(lambda: len(_announced(api)) >= PEOPLE // 3, 600, what="a third: kill -9")
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait(timeout=10)
        at_kill = len(_announced(api))
        procs.append(_coach(url, api, free_port()))  # the killed one, restarted
        await _until(lambda: len(_announced(api)) >= PEOPLE, 1200, every=0.1, what="everyone")
        seconds = time.perf_counter() - started
        await asyncio.sleep(2)  # anything still in flight would show up as a double now
        posted = _announced(api)
        calls = len(api.calls) - calls_before
        return {
            "seconds": seconds,
            "bound": PEOPLE / POSTS_PER_SECOND,
            "refused_share": (api.refused - refused_before) / max(1, calls),
            "calls": calls,
            "look_backs": len(api.to("conversations.history")) - history_before,
            "opens": len(api.to("conversations.open")) - opens_before,
            "lost": PEOPLE - len(posted),
            "doubled": sum(1 for n in posted.values() if n > 1),
            "send_now": first_after,
            "at_kill": at_kill,
            **contacts,
        }
    finally:
        stop_all(procs)
        await api.close()


def stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each `coach run` still running, then SIGKILL one that does not stop within 30 s."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _postgres(base: str) -> tuple[str, Any]:
    schema = f"rollout_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{base}{sep}options=-csearch_path%3D{schema}", drop


def row(label: str, r: dict[str, Any]) -> str:
    return (
        f"| {label} | {r['seconds']:.0f} s vs {r['bound']:.0f} s bound = **{r['seconds'] / r['bound']:.2f}×** "
        f"(≤ 1.2×) | {100 * r['refused_share']:.1f}% of {r['calls']:,} calls (< 5%) | {r['look_backs']} "
        f"look-backs, {r['opens']} DM opens | lost {r['lost']} (0), doubled {r['doubled']} (≤ 1 per crash) "
        f"| {r['send_now'] * 1000:.0f} ms (< 1 s) | {BURST} first contacts: ack p50 {r['ack_p50'] * 1000:.0f} ms, "
        f"p99 {r['ack_p99'] * 1000:.0f} ms | killed after {r['at_kill']:,} |"
    )


def main() -> None:
    platforms = os.environ.get("BENCH_ROLLOUT_PLATFORMS", "slack,teams").replace(",", " ").split()
    print(
        f"{PEOPLE:,} people (half never wrote), Slack time ×{SCALE:g}; load average {os.getloadavg()[0]:.1f} "
        f"at the start.\n\n| run | time vs bound | 429s | look-backs | lost, doubled | send now → first "
        "recipient | first contacts | crash |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    if "slack" in platforms:
        slack()
    if "teams" in platforms:
        from bench import rollout_teams

        rollout_teams.main()


def slack() -> None:
    on_both_databases("Slack", rollout, row)


def on_both_databases(
    platform: str,
    run: Callable[..., Coroutine[Any, Any, dict[str, Any]]],
    table_row: Callable[[str, dict[str, Any]], str],
) -> None:
    """Print a platform's rows: SQLite with one process, then PostgreSQL with two (one killed)."""
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run(f"sqlite:///{tmp}/rollout.db", processes=1))
        print(table_row(f"{platform}, SQLite, 1 process", result), flush=True)
    base = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        url, drop = _postgres(base)
    except Exception as exc:  # no PostgreSQL here
        print(f"| {platform}, PostgreSQL | skipped: {type(exc).__name__} |")
        return
    try:
        result = asyncio.run(run(url, processes=2))
        print(table_row(f"{platform}, PostgreSQL, 2 processes (one killed, restarted)", result), flush=True)
    finally:
        drop()


if __name__ == "__main__":
    main()
