"""Slack throughput: `coach run` as shipped against the simplest Bolt bot, both on one local fake Web API.

Report-only (never a test). The anchor is a bare AsyncApp on aiohttp that answers each DM with one say().
The coach is `coach run` as a customer starts it: a subprocess with its default INFO logging (and access
log), SQLite by default or PostgreSQL with `--database URL` (a fresh schema per run). Each server runs in
its own process, pinned to a core of its own (BENCH_PIN=0 to leave the scheduler alone); this process runs
the load (20 concurrent senders of signed DM events) and the fake Web API, whose rate limits are lifted
(`post_limit`), on the other core. Four scenarios by default:

- `repeat:help` and `repeat:thank you`: 100 people the servers have met (each says hello first, not
  measured) send the events; `help` gets the coach's largest reply, `thank you` a one-line one;
- `distinct:help`: every event comes from someone new (3,000 by default): for the coach each is a first
  contact (person, identity, enrolment, welcome, answer), reported apart;
- `backlog:help`: as `repeat:help`, while the coach's outbox drains `--backlog`
  (10,000) messages queued just before the load, its pacing lifted like the fake's limits
  (COACH_QUOTA_SCALE=1000): the ack latency while a large send goes out beside the answers. How much of
  the backlog went out while the load ran is reported under the table.

Measured per server: ack rate and ack latency (p50/p99) of POST /slack/events; answered rate (events per
second until the fake has seen every reply: one per event, or for first contacts as many as one warm-up
first contact produced); the server's CPU time per event. Rounds alternate anchor and coach, and each
summary is the median over rounds, because a single run on a small shared machine varies by a third.

Run: `.venv/bin/python -m bench.slack_bench [--scenario repeat:help ...] [--events 2000] [--distinct 3000]
[--senders 20] [--rounds 5] [--backlog 10000] [--database postgresql+psycopg://…]`. `--profile PATH` runs the coach in this
script's own server (the same app `coach run` builds, without its logging) under cProfile instead.
The issue's targets (16): answered >= 0.8x the anchor for people it has met (help and a short reply),
first contacts >= 0.2x the anchor's answered rate, coach ack p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
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
from statistics import median
from typing import Any

import aiohttp
from aiohttp import web

SCRIPT = str(Path(__file__).resolve())
PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

TEXT = "help"  # what each DM says (set per scenario)
POPULATION = "repeat"  # "repeat": USERS, met before; "distinct": someone new per event; "backlog": repeat
BACKLOG = 10_000  # outbox messages queued before the load in the backlog scenario (--backlog)
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
CORES = sorted(os.sched_getaffinity(0))
PIN = CORES[-1:] if len(CORES) > 1 and os.environ.get("BENCH_PIN", "1") == "1" else []
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
    from adapters.web.app import build_app, freeze_heap_at_startup
    from bot.config import load_settings
    from bot.migrations.migrate import create_all
    from bot.store.db import Store

    settings = load_settings(
        COACH_DATABASE_URL=database,
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=api,
        COACH_QUOTA_SCALE=1000,  # the fake's limits are lifted: so is the coach's pacing under them
        _env_file=None,
    )
    store = Store(settings.database_url)
    create_all(store)  # before the runtime, which may read tables as it is built
    runtime = build_runtime(settings, store=store)
    if "nogroup" in os.environ.get("BENCH_TUNE", ""):  # what-if: a commit and a thread handoff per event
        runtime.store.group_commit = None
    app = build_app(runtime)
    freeze_heap_at_startup(app)  # as `coach run` does
    profile = os.environ.get("BENCH_PROFILE")  # a path: write the coach's cProfile stats there
    if not profile:
        web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)
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
    cpu_seconds: float  # the server process's CPU time from the first measured request to the last answer
    drained: int | None = None  # backlog:*: the outbox messages sent while the load ran

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
    user = USERS[index % len(USERS)] if POPULATION != "distinct" else f"UNEW{run}{index:06d}"
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


async def measure(
    name: str,
    command: list[str],
    port: int,
    api: Any,
    *,
    events: int,
    senders: int,
    env: dict[str, str] | None = None,
) -> Result:
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "BENCH_TEXT": TEXT, **(env or {})}
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    print(f"{name}: pid {process.pid}", file=sys.stderr, flush=True)  # for a sampling profiler
    if PIN:  # the server gets a core of its own; this process (the load and the fake Web API) the rest
        os.sched_setaffinity(process.pid, PIN)  # before it starts its threads, which inherit it
    try:
        await wait_ready(f"http://127.0.0.1:{port}/healthz")
        url = f"http://127.0.0.1:{port}/slack/events"
        posts = Posts(api)
        # Warm-up, not measured: every bench user meets the bot once (first contact, profiles cached); for
        # the distinct population, a few newcomers show how many replies one first contact brings.
        warm = len(USERS) if POPULATION != "distinct" else 20
        await load(url, run=f"{name}w", events=warm, senders=senders)
        await posts.wait_for(warm)  # at least one reply each, then a moment for any second one
        await asyncio.sleep(1.5)
        before = posts.count()
        per_event = 1 if POPULATION != "distinct" else max(1, round(before / warm))
        if POPULATION == "backlog" and name == "coach":
            await asyncio.to_thread(queue_backlog, env["COACH_DATABASE_URL"], BACKLOG)
            posts.backlog_from = len(api.calls)
        # This process's own full collections would stall every request in flight and be charged to
        # the server: what exists now (the fake's records, aiohttp) is kept out of the collector's sight.
        gc.collect()
        gc.freeze()
        cpu_before = cpu_seconds(process.pid)
        start = time.perf_counter()
        latencies, failures = await load(url, run=name, events=events, senders=senders, first=warm)
        acked = time.perf_counter() - start
        await posts.wait_for(before + events * per_event)
        answered = time.perf_counter() - start
        cpu = cpu_seconds(process.pid) - cpu_before
        drained = posts.backlog_sent() if POPULATION == "backlog" and name == "coach" else None
        return Result(name, events, acked, answered, latencies, failures, cpu, drained)
    finally:
        gc.unfreeze()
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), timeout=15)


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


class Posts:
    """Counts the replies among the fake's successful chat.postMessage calls, incrementally (a full
    scan every poll would cost this process CPU that the servers then compete with). The coach's own
    sends from its outbox (programme steps) carry their key in metadata and are not replies."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.seen = 0
        self.posted = 0
        self.backlog_from = 0

    def backlog_sent(self) -> int:
        """The outbox's sends (carrying their key in metadata) since the backlog was queued."""
        calls = self.api.calls[self.backlog_from :]
        return sum(1 for c in calls if c.method == "chat.postMessage" and c.ok and "metadata" in c.args)

    def count(self) -> int:
        calls = self.api.calls
        for call in calls[self.seen :]:
            self.posted += call.method == "chat.postMessage" and call.ok and "metadata" not in call.args
        self.seen = len(calls)
        return self.posted

    async def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 300
        while self.count() < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.posted} of {count} answers arrived")
            await asyncio.sleep(0.005)


def queue_backlog(database: str, count: int) -> None:
    """`count` notices in the coach's outbox, spread over the DM conversations it already sends to (the
    addresses of the people the warm-up introduced), queued a thousand to a transaction as a large
    announcement's fan-out would; on SQLite a chunk waits its turn behind the coach's own writer."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import OperationalError

    from bot.messages import Message, Text
    from bot.outbox import service as outbox
    from bot.outbox.models import OutboxKind
    from bot.people import service as people
    from bot.store.db import Store

    store = Store(database)
    message = Message(summary="Compass changed", blocks=(Text("**Compass** now cites its sources."),))
    now = datetime.now(UTC)
    try:
        with store.session() as session:
            targets = people.addresses(session=session, platform="slack")
        for start in range(0, count, 1_000):
            for attempt in range(100):
                try:
                    with store.session() as session:
                        for n in range(start, min(count, start + 1_000)):
                            outbox.enqueue(
                                session=session,
                                key=f"bench-backlog:{n}",
                                platform="slack",
                                address=targets[n % len(targets)],
                                message=message,
                                now=now,
                                kind=OutboxKind.notice,
                            )
                        session.commit()
                    break
                except OperationalError:  # SQLite: the coach holds the one writer; try again shortly
                    if attempt == 99:
                        raise
                    time.sleep(0.05)
    finally:
        store.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def main(args: argparse.Namespace) -> None:
    global TEXT, POPULATION, BACKLOG
    BACKLOG = args.backlog
    if PIN:
        os.sched_setaffinity(0, [c for c in CORES if c not in PIN])
    database = "PostgreSQL" if args.database else "SQLite"
    print(f"`coach run` as shipped (INFO logging, access log) on {database}; the fake Web API's rate limits "
          f"lifted; {args.senders} concurrent senders; {args.rounds} rounds, anchor then coach in each\n")  # fmt: skip
    summaries = []
    for scenario in args.scenario:
        POPULATION, _, TEXT = scenario.partition(":")
        events = args.distinct if POPULATION == "distinct" else args.events
        results = []
        # Rounds alternate anchor and coach so that a noisy neighbour hurts both alike.
        for _ in range(args.rounds):
            port = free_port()
            anchor = await measure_with_fake("anchor", [sys.executable, SCRIPT, "anchor", str(port)], port,
                                             events, args.senders)  # fmt: skip
            port = free_port()
            with tempfile.TemporaryDirectory() as folder, schema_for(args.database, folder) as url:
                env = {
                    "COACH_PORT": str(port),
                    "COACH_HOST": "127.0.0.1",
                    "COACH_DATABASE_URL": url,
                    "COACH_CONTENT_DIR": str(PROJECT / "content"),
                    "SLACK_SIGNING_SECRET": SECRET,
                    "SLACK_BOT_TOKEN": TOKEN,
                }
                if (
                    POPULATION == "backlog"
                ):  # the drain at full speed: the coach's pacing lifted, as the fake's
                    env["COACH_QUOTA_SCALE"] = "1000"
                if args.profile:
                    command = [sys.executable, SCRIPT, "coach", str(port), url]
                    env["BENCH_PROFILE"] = args.profile
                else:
                    command = [sys.executable, "-m", "adapters.cli", "run"]
                coach = await measure_with_fake("coach", command, port, events, args.senders, env=env)
            results.append((anchor, coach))
        summaries.append(report(scenario, results))
    print("\n".join(summaries))


def schema_for(database: str, folder: str) -> contextlib.AbstractContextManager[str]:
    if not database:
        return contextlib.nullcontext(f"sqlite:///{folder}/bench.db")
    from bench.pg import fresh_schema

    return fresh_schema(database)


async def measure_with_fake(
    name: str, command: list[str], port: int, events: int, senders: int, *, env: dict[str, str] | None = None
) -> Result:
    """A fresh fake Web API for each measurement: what it records would otherwise grow round by round and
    slow this process (and so the load it sends) down. The anchor gets its URL as its last argument, the
    coach as SLACK_API_URL."""
    from tests.fakes.slack_api import FakeSlackApi

    gc.collect()
    api = FakeSlackApi(
        token=TOKEN, post_limit=1_000_000, tiers=False
    )  # measure the servers, not Slack's limits
    await api.start()
    try:
        if env is None:
            command = [*command, api.base_url]
        else:
            env = {**env, "SLACK_API_URL": api.base_url}
        return await measure(name, command, port, api, events=events, senders=senders, env=env)
    finally:
        await api.close()


def report(scenario: str, results: list[tuple[Result, Result]]) -> str:
    events = results[0][0].events
    who = "first contacts (someone new each)" if POPULATION == "distinct" else "people met before"
    if POPULATION == "backlog":
        who += f", while the outbox drains {BACKLOG:,} queued messages beside them"
    print(f"\n### {scenario}: {events:,} DMs saying {TEXT!r} from {who}\n")
    print("| round | server | acked/s | ack p50 ms | ack p99 ms | answered/s | CPU ms per event | non-200 |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for number, pair in enumerate(results, 1):
        for r in pair:
            print(f"| {number} | {r.name} | {r.ack_rate:,.0f} | {r.percentile(0.5):.1f} | {r.percentile(0.99):.1f} "
                  f"| {r.answered_rate:,.0f} | {r.cpu_seconds / r.events * 1000:.2f} | {r.failures} |")  # fmt: skip
    ack = median([c.ack_rate / a.ack_rate for a, c in results])
    answered = median([c.answered_rate / a.answered_rate for a, c in results])
    p99 = median([c.percentile(0.99) for _, c in results])
    anchor_p99 = median([a.percentile(0.99) for a, _ in results])
    cpu = median([c.cpu_seconds / a.cpu_seconds for a, c in results])
    drained = [c.drained for _, c in results if c.drained is not None]
    if drained:
        print(f"\nBacklog messages sent while the load ran (until every answer was in), per round: "
              f"{', '.join(f'{d:,}' for d in drained)} of {BACKLOG:,}")  # fmt: skip
    target = 0.2 if POPULATION == "distinct" else 0.8
    verdict = "met" if answered >= target and p99 < 50 else "missed"
    return (f"- **{scenario}**, median of {len(results)} rounds: answered {answered:.2f}x the anchor (target >= "
            f"{target}), acked {ack:.2f}x; coach ack p99 {p99:.1f} ms (target < 50; anchor {anchor_p99:.1f} ms); "
            f"CPU per event {cpu:.2f}x the anchor's: {verdict}")  # fmt: skip


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    if len(sys.argv) > 1 and sys.argv[1] == "anchor":
        serve_anchor(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "coach":
        TEXT = os.environ.get("BENCH_TEXT", TEXT)
        serve_coach(int(sys.argv[2]), os.environ["SLACK_API_URL"], sys.argv[3])
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--scenario", nargs="+", default=["repeat:help", "repeat:thank you", "distinct:help", "backlog:help"],
                            help="POPULATION:TEXT, POPULATION being repeat or distinct")  # fmt: skip
        parser.add_argument(
            "--events", type=int, default=2000, help="events per round from people met before"
        )
        parser.add_argument("--distinct", type=int, default=3000, help="events per round from newcomers")
        parser.add_argument("--senders", type=int, default=20)
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--database", default="", help="a postgresql+psycopg:// URL (default: SQLite)")
        parser.add_argument(
            "--backlog", type=int, default=BACKLOG, help="outbox messages queued in backlog:*"
        )
        parser.add_argument("--profile", default="", help="write the coach's cProfile stats to this path")
        asyncio.run(main(parser.parse_args()))
