"""Slack throughput: the full coach server against the simplest Bolt bot, both on one local fake Web API.

Report-only (never a test). The anchor is a bare AsyncApp on aiohttp that answers each DM with one
say(). Each server runs in its own process; this process runs the load (20 concurrent senders of
signed DM events) and the fake Web API, and measures:

- ack rate and ack latency (p50/p99) of POST /slack/events;
- answered rate: events per second until the fake has seen one chat.postMessage per event.

Run: `.venv/bin/python -m bench.slack_bench [--events 2000] [--senders 20]`.
The issue's targets: coach ack rate >= 0.5x the anchor's, ack p99 < 100 ms, answered rate >= 0.5x.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

SCRIPT = str(Path(__file__).resolve())
PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

# What each DM says. The default gets a one-line answer, as the anchor's say() does, so both servers
# ask the same of the fake Web API; `--text help` measures the long help answer instead.
TEXT = os.environ.get("BENCH_TEXT", "thank you")
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
USERS = [f"UBENCH{i:04d}" for i in range(100)]


# --- the servers (run in child processes) ---------------------------------------------------------


def serve_anchor(port: int, api: str) -> None:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=api), signing_secret=SECRET)

    @bolt.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        await say(f"You said: {event.get('text', '')}")

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def serve_coach(port: int, api: str, database: str) -> None:
    from adapters.runtime import build_runtime
    from adapters.web.app import build_app
    from bot.config import load_settings
    from bot.store.db import Store

    if os.environ.get("BENCH_SWITCH"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH"]))
    settings = load_settings(
        COACH_DATABASE_URL=f"sqlite:///{database}",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=api,
        _env_file=None,
    )
    store = Store(settings.database_url)
    store.create_all()  # before the runtime, which may read tables as it is built
    runtime = build_runtime(settings, store=store)
    tune = os.environ.get("BENCH_TUNE", "")  # what-if experiments on core settings, for the report
    if "sync" in tune:
        from sqlalchemy import event

        event.listen(runtime.store.engine, "connect", lambda c, _r: c.execute("PRAGMA synchronous=NORMAL"))
        runtime.store.engine.dispose()
    if "nowake" in tune:
        runtime.engine.on_commit = lambda: None
    profile = os.environ.get("BENCH_PROFILE")  # a path: write the coach's cProfile stats there
    if not profile:
        web.run_app(build_app(runtime), host="127.0.0.1", port=port, access_log=None, print=None)
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        web.run_app(build_app(runtime), host="127.0.0.1", port=port, access_log=None, print=None)
    finally:  # run_app returns on SIGTERM (aiohttp's graceful exit)
        profiler.disable()
        profiler.dump_stats(profile)


# --- the load --------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    events: int
    ack_seconds: float
    answered_seconds: float
    latencies: list[float]
    failures: int

    @property
    def ack_rate(self) -> float:
        return self.events / self.ack_seconds

    @property
    def answered_rate(self) -> float:
        return self.events / self.answered_seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


def dm(index: int, run: str) -> str:
    user = USERS[index % len(USERS)]
    ts = f"{1_700_000_000 + index}.{index % 1_000_000:06d}"
    event = {
        "type": "message",
        "user": user,
        "text": TEXT,
        "ts": ts,
        "channel": f"D{user}",
        "event_ts": ts,
        "channel_type": "im",
    }
    envelope = {
        "token": "x",
        "team_id": "T111",
        "api_app_id": "A111",
        "type": "event_callback",
        "event_id": f"Ev{run}{index:08d}",
        "event_time": 1_700_000_000,
        "event": event,
        "authorizations": [{"team_id": "T111", "user_id": "UBOT", "is_bot": True}],
    }
    return json.dumps(envelope)


async def load(url: str, *, run: str, events: int, senders: int, first: int = 0) -> tuple[list[float], int]:
    counter = iter(range(first, first + events))
    latencies: list[float] = []
    failures = 0

    async def sender(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        for index in counter:
            body = dm(index, run)
            start = time.perf_counter()
            async with session.post(url, data=body.encode(), headers=signed(body)) as response:
                await response.read()
                if response.status != 200:
                    failures += 1
            latencies.append(time.perf_counter() - start)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=senders)) as session:
        await asyncio.gather(*(sender(session) for _ in range(senders)))
    return latencies, failures


async def measure(name: str, command: list[str], port: int, api: Any, *, events: int, senders: int) -> Result:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    process = await asyncio.create_subprocess_exec(*command, env=env)
    try:
        await wait_ready(f"http://127.0.0.1:{port}/healthz")
        url = f"http://127.0.0.1:{port}/slack/events"
        # Warm-up: every bench user meets the bot once (first contact, profiles cached).
        await load(url, run=f"{name}w", events=len(USERS), senders=senders)
        await wait_posts(api, len(api.to("chat.postMessage")) + 0)
        await asyncio.sleep(1.0)
        before = len(api.to("chat.postMessage"))
        start = time.perf_counter()
        latencies, failures = await load(url, run=name, events=events, senders=senders, first=len(USERS))
        acked = time.perf_counter() - start
        await wait_posts(api, before + events)
        answered = time.perf_counter() - start
        return Result(name, events, acked, answered, latencies, failures)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), timeout=10)


async def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as session:
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise RuntimeError(f"server at {url} did not start")
            await asyncio.sleep(0.1)


async def wait_posts(api: Any, count: int) -> None:
    deadline = time.monotonic() + 300
    while len(api.to("chat.postMessage")) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(api.to('chat.postMessage'))} of {count} answers arrived")
        await asyncio.sleep(0.005)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def main(events: int, senders: int) -> None:
    from tests.fakes.slack_api import FakeSlackApi

    api = FakeSlackApi(token=TOKEN, post_limit=1_000_000)  # measure the servers, not Slack's limits
    await api.start()
    python, script = sys.executable, SCRIPT
    try:
        anchor_port, coach_port = free_port(), free_port()
        anchor = await measure(
            "anchor", [python, script, "anchor", str(anchor_port), api.base_url], anchor_port, api,
            events=events, senders=senders,
        )  # fmt: skip
        with tempfile.TemporaryDirectory() as folder:
            coach = await measure(
                "coach", [python, script, "coach", str(coach_port), api.base_url, f"{folder}/bench.db"],
                coach_port, api, events=events, senders=senders,
            )  # fmt: skip
    finally:
        await api.close()
    report(anchor, coach, senders=senders)
    if os.environ.get("BENCH_CALLS"):
        from collections import Counter

        print(Counter((c.method, c.ok) for c in api.calls))


def report(anchor: Result, coach: Result, *, senders: int) -> None:
    print(
        f"\n{anchor.events} signed DM events saying {TEXT!r}, {senders} concurrent senders, one local fake Web API\n"
    )
    print("| server | acked/s | ack p50 ms | ack p99 ms | answered/s | non-200 |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in (anchor, coach):
        print(f"| {r.name} | {r.ack_rate:,.0f} | {r.percentile(0.5):.1f} | {r.percentile(0.99):.1f} "
              f"| {r.answered_rate:,.0f} | {r.failures} |")  # fmt: skip
    ack_ratio = coach.ack_rate / anchor.ack_rate
    answered_ratio = coach.answered_rate / anchor.answered_rate
    print(f"\ncoach/anchor: ack {ack_ratio:.2f}x (target >= 0.5), answered {answered_ratio:.2f}x "
          f"(target >= 0.5); coach ack p99 {coach.percentile(0.99):.1f} ms (target < 100)")  # fmt: skip


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    if len(sys.argv) > 1 and sys.argv[1] == "anchor":
        serve_anchor(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "coach":
        serve_coach(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--events", type=int, default=2000)
        parser.add_argument("--senders", type=int, default=20)
        parser.add_argument("--text", default=TEXT, help="what each DM says (the servers inherit it)")
        args = parser.parse_args()
        os.environ["BENCH_TEXT"] = TEXT = args.text
        asyncio.run(main(args.events, args.senders))
