"""Teams: `coach run` as shipped against the simplest botbuilder bot, both behind one fake Bot Framework.

Report-only (never a test). The fake (tests/fakes/teams_connector.py) serves OpenID keys, an https token
endpoint and the Bot Connector over HTTPS with keep-alive, demanding a token on every call; its rate limits
are lifted (per conversation and per app), so that what is measured is the servers, not Teams' limits. The
senders are spread over tenants (one each), because the coach paces itself to Teams' per-tenant app limit
(40/s) and one tenant would measure that pacing.

- anchor: a bare `CloudAdapter` with `ConfigurationBotFrameworkAuthentication` and an ActivityHandler that
  answers each message with one `send_activity`, served by the SDK's own `adapter.process`;
- coach: `coach run` as a subprocess, its default INFO logging, SQLite (or `--database postgresql+psycopg://…`).

Each round: every person says hello once (first contact, not measured), then `--messages` signed personal
messages saying `--text` from `--senders` concurrent senders. A Teams reply is sent inside the turn, so the
HTTP answer (the ack) comes after it: ack latency is the answer latency here. Measured: messages/s, ack
p50/p99, the server's CPU ms per message (user + system, from /proc), messages not answered.

Run: `.venv/bin/python -m bench.teams_bench [--messages 600] [--senders 20] [--rounds 5] [--text help]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
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

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
SCRIPT = str(Path(__file__).resolve())
PASSWORD = "bench-app-password"
PEOPLE_PER_SENDER = 10


# --- the anchor (a child process) ------------------------------------------------------------------


def serve_anchor(port: int) -> None:
    from aiohttp import web
    from botbuilder.core import ActivityHandler, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    class Config:
        APP_ID = os.environ["TEAMS_APP_ID"]
        APP_PASSWORD = PASSWORD
        APP_TYPE = "MultiTenant"
        APP_TENANTID = None
        VALIDATE_AUTHORITY = False
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = os.environ["TEAMS_OPENID_METADATA_URL"]
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = os.environ["TEAMS_TOKEN_ISSUER"]
        TO_CHANNEL_FROM_BOT_LOGIN_URL = os.environ["TEAMS_LOGIN_URL"]
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = os.environ["TEAMS_OAUTH_SCOPE"]
        OAUTH_URL = os.environ["TEAMS_OAUTH_URL"]

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))

    class Bot(ActivityHandler):  # type: ignore[misc]
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(f"You said: {turn_context.activity.text}")

    bot = Bot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await adapter.process(request, bot)
        return response

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


# --- the load --------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    messages: int
    seconds: float
    latencies: list[float]
    failures: int
    unanswered: int
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds / self.messages * 1000

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def activity(service_url: str, sender: int, person: int, text: str, n: int) -> dict[str, Any]:
    user = f"s{sender}p{person}"
    tenant = f"tenant-{sender}"
    return {
        "type": "message",
        "id": f"bench-{n}",
        "timestamp": "2026-11-23T09:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{user}", "name": f"Person {user}", "aadObjectId": f"aad-{user}"},
        "conversation": {"conversationType": "personal", "id": f"a:personal-{user}", "tenantId": tenant},
        "recipient": {"id": "28:bench-bot", "name": "Coach"},
        "textFormat": "plain",
        "text": text,
        "channelData": {"tenant": {"id": tenant}},
    }


async def load(
    url: str, service_url: str, token: str, *, senders: int, messages: int, text: str, first: int
) -> tuple[list[float], int]:
    """`messages` in all, from `senders` concurrent senders, each cycling through its own people."""
    latencies: list[float] = []
    failures = 0
    headers = {"Authorization": f"Bearer {token}"}
    counter = iter(range(messages))

    async def sender(number: int, session: aiohttp.ClientSession) -> None:
        nonlocal failures
        for index in counter:
            body = activity(service_url, number, index % PEOPLE_PER_SENDER, text, first + index)
            start = time.perf_counter()
            async with session.post(url, json=body, headers=headers) as response:
                await response.read()
                if response.status >= 300:
                    failures += 1
            latencies.append(time.perf_counter() - start)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=senders)) as session:
        await asyncio.gather(*(sender(n, session) for n in range(senders)))
    return latencies, failures


async def hello_everyone(url: str, service_url: str, token: str, senders: int) -> None:
    """First contact for every person (welcome, enrolment), outside the measurement."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session:

        async def one(sender: int) -> None:
            for person in range(PEOPLE_PER_SENDER):
                body = activity(service_url, sender, person, "hello", 10_000_000 + sender * 100 + person)
                async with session.post(url, json=body, headers=headers) as response:
                    await response.read()

        await asyncio.gather(*(one(s) for s in range(senders)))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_ready(url: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as session:
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer")
            await asyncio.sleep(0.1)


async def measure(
    name: str, command: list[str], env: dict[str, str], fake: Any, *, port: int, args: argparse.Namespace
) -> Result:
    # The child's INFO log is written, as shipped, to /dev/null.
    quiet = asyncio.subprocess.DEVNULL
    process = await asyncio.create_subprocess_exec(*command, env=env, stdout=quiet, stderr=quiet)
    print(f"{name}: pid {process.pid}", file=sys.stderr, flush=True)  # for a sampling profiler
    try:
        await wait_ready(f"http://127.0.0.1:{port}/healthz", process)
        url = f"http://127.0.0.1:{port}/api/messages"
        service_url = fake.base_url + "/"
        token = fake.token(service_url=service_url)
        await hello_everyone(url, service_url, token, args.senders)
        await asyncio.sleep(1.0)
        before = len(fake.calls)
        gc.collect()
        gc.freeze()
        cpu_before = cpu_seconds(process.pid)
        start = time.perf_counter()
        latencies, failures = await load(
            url, service_url, token, senders=args.senders, messages=args.messages, text=args.text, first=0
        )
        seconds = time.perf_counter() - start
        cpu = cpu_seconds(process.pid) - cpu_before
        answered = len(fake.calls) - before
        return Result(
            name, args.messages, seconds, latencies, failures, max(0, args.messages - answered), cpu
        )
    finally:
        gc.unfreeze()
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), timeout=15)


async def main(args: argparse.Namespace) -> None:
    from aiohttp.test_utils import TestServer

    from bench.pg import fresh_schema
    from tests.fakes import teams_connector
    from tests.fakes.teams_connector import APP_ID, ISSUER, FakeBotFramework, local_tls

    teams_connector.PER_CONVERSATION = ()  # the platform's limits lifted: measure the servers
    results: list[tuple[Result, Result]] = []
    with tempfile.TemporaryDirectory() as folder:
        context, ca_path = local_tls(Path(folder))
        for _ in range(args.rounds):
            pair = []
            for name in ("anchor", "coach"):
                fake = FakeBotFramework(require_token=True, keep_alive=True, password=PASSWORD)
                fake.app_limits = ()
                server = TestServer(fake.app(), host="127.0.0.1")
                await server.start_server(ssl=context)
                fake.base_url = str(server.make_url("")).rstrip("/")
                port = free_port()
                env = {
                    **os.environ,
                    "PYTHONPATH": str(PROJECT),
                    "REQUESTS_CA_BUNDLE": str(ca_path),
                    "TEAMS_APP_ID": APP_ID,
                    "TEAMS_APP_PASSWORD": PASSWORD,
                    "TEAMS_OPENID_METADATA_URL": f"{fake.base_url}/openid/.well-known/openid-configuration",
                    "TEAMS_TOKEN_ISSUER": ISSUER,
                    "TEAMS_LOGIN_URL": f"{fake.base_url}/adfs",
                    "TEAMS_OAUTH_SCOPE": "https://api.botframework.com",
                    "TEAMS_OAUTH_URL": f"{fake.base_url}/oauth",
                }
                schema = contextlib.nullcontext(args.database or f"sqlite:///{folder}/coach-{len(results)}.db")
                if name == "coach" and args.database:
                    schema = fresh_schema(args.database)
                try:
                    with schema as database:
                        if name == "anchor":
                            command = [sys.executable, SCRIPT, "anchor", str(port)]
                        else:
                            env.update(
                                COACH_PORT=str(port),
                                COACH_HOST="127.0.0.1",
                                COACH_DATABASE_URL=database,
                                COACH_CONTENT_DIR=str(PROJECT / "content"),
                            )
                            command = [sys.executable, "-m", "adapters.cli", "run"]
                        pair.append(await measure(name, command, env, fake, port=port, args=args))
                finally:
                    await server.close()
            results.append((pair[0], pair[1]))
    report(results, args)


def report(results: list[tuple[Result, Result]], args: argparse.Namespace) -> None:
    print(f"\n{args.messages} signed personal messages saying {args.text!r} per round from {args.senders} "
          f"concurrent senders (one tenant each, {PEOPLE_PER_SENDER} people each), after every person's first "
          f"contact; one fake Bot Framework over HTTPS with keep-alive and its rate limits lifted; "
          f"{len(results)} rounds\n")  # fmt: skip
    print(
        "| round | server | messages/s | ack p50 ms | ack p99 ms | CPU ms per message | non-2xx | unanswered |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for number, pair in enumerate(results, 1):
        for r in pair:
            print(f"| {number} | {r.name} | {r.rate:,.0f} | {r.percentile(0.5):.0f} | {r.percentile(0.99):.0f} "
                  f"| {r.cpu_ms:.1f} | {r.failures} | {r.unanswered} |")  # fmt: skip
    rate = median([c.rate / a.rate for a, c in results])
    cpu = median([c.cpu_ms for _, c in results])
    anchor_cpu = median([a.cpu_ms for a, _ in results])
    p50 = median([c.percentile(0.5) for _, c in results])
    p99 = median([c.percentile(0.99) for _, c in results])
    unanswered = sum(c.unanswered + c.failures for _, c in results)
    print(f"\ncoach, median of {len(results)} rounds: {cpu:.1f} ms CPU per message (target <= 5; the bare bot "
          f"{anchor_cpu:.1f}), ack p50 {p50:.0f} ms, p99 {p99:.0f} ms (target < 200), {rate:.2f}x the bare "
          f"bot's messages/s; {unanswered} messages unanswered or refused (target 0)")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "anchor":
        serve_anchor(int(sys.argv[2]))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--messages", type=int, default=600)
        parser.add_argument("--senders", type=int, default=20)
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--text", default="help")
        parser.add_argument("--database", default="", help="a postgresql+psycopg:// URL (default: SQLite)")
        asyncio.run(main(parser.parse_args()))
