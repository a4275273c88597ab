"""Issue #5's figures: tick cost vs enrolled, outbox drain under a rate limit, usage ingest, RSS.

Each figure is measured in this run on this machine; the comparisons are within the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from adapters.runtime import build_runtime
from adapters.web.app import build_app
from bench.populate import populate
from bot.config import load_settings
from bot.content import load_content
from bot.messages import text_message
from bot.migrations.migrate import create_all
from bot.outbox import service as outbox
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.pace import Pacer, Quota
from bot.ports import FixedClock, Outgoing, RetryLater, Sent
from bot.programmes import hooks
from bot.schedule.ticker import Ticker
from bot.store.db import Store

PROJECT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _settings(url: str):  # type: ignore[no-untyped-def]
    return load_settings(
        COACH_DATABASE_URL=url,
        COACH_QUIET_HOURS="",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        _env_file=None,
    )


async def tick_cost(people: int, due: int = 1_000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        store = Store(url)
        create_all(store)
        content = load_content(PROJECT / "content")
        populate(store, content, people=people, due_now=due, now=NOW)
        ticker = Ticker(
            store=store,
            clock=FixedClock(NOW),
            handlers=hooks.handlers(content=content, settings=_settings(url)),
        )
        started = time.perf_counter()
        ran = await ticker.tick()
        elapsed = time.perf_counter() - started
        assert ran == due, f"ran {ran} jobs, expected {due}"
        store.close()
        return elapsed


class RateLimitedPlatform:
    """A fake sender that enforces `rate` sends per second (bursts of rate/10) and answers 429 beyond it;
    like the platform adapters, it waits for its moment under that quota (`bot.outbox.pace`) first."""

    platform = "bench"

    def __init__(self, rate: float, pacer: Pacer | None = None) -> None:
        self.quota = Quota("bench:all:send", rate * 0.95)
        self.pacer = pacer or Pacer()
        self.bucket_rate = rate
        self.capacity = max(1.0, rate / 10)
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self.delivered: Counter[str] = Counter()
        self.refused = 0

    async def send(self, outgoing: Outgoing) -> Sent:
        await self.pacer.acquire(self.quota)
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.bucket_rate)
        self.stamp = now
        if self.tokens < 1:
            self.refused += 1
            raise RetryLater("429 rate limited", after_seconds=(1 - self.tokens) / self.bucket_rate)
        self.tokens -= 1
        self.delivered[outgoing.idempotency_key] += 1
        return Sent(message_id=outgoing.idempotency_key)


async def outbox_drain(messages: int, rate: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")
        create_all(store)
        message = text_message("Compass was updated: summaries now cite their sources.")
        with store.session() as session:
            for i in range(messages):
                outbox.enqueue(
                    session=session,
                    key=f"bench:{i}",
                    platform="bench",
                    address={"user": i},
                    message=message,
                    now=NOW,
                )
        platform = RateLimitedPlatform(rate)
        dispatcher = Dispatcher(store=store, senders={"bench": platform}, clock=_RealClock(), batch=100)
        started = time.perf_counter()
        while sum(platform.delivered.values()) < messages:
            await dispatcher.drain()
            await asyncio.sleep(0.001)
        elapsed = time.perf_counter() - started
        store.close()
        lost = messages - len(platform.delivered)
        doubled = sum(1 for n in platform.delivered.values() if n > 1)
        return {
            "seconds": elapsed,
            "bound": messages / rate,
            "lost": lost,
            "doubled": doubled,
            "refused_429": platform.refused,
        }


class _RealClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


async def usage_ingest(events: int = 10_000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        store = Store(url)
        create_all(store)
        content = load_content(PROJECT / "content")
        populate(store, content, people=1_000, due_now=0, now=NOW)
        settings = load_settings(
            COACH_DATABASE_URL=url,
            COACH_API_TOKEN="t",
            COACH_LOCAL_CHAT="false",
            COACH_CONTENT_DIR=str(PROJECT / "content"),
            _env_file=None,
        )
        runtime = build_runtime(settings, clock=FixedClock(NOW), store=store, content=content)
        body = json.dumps(
            [
                {
                    "id": f"u{i}",
                    "person": f"p{i % 1000 + 1}@example.com",
                    "system": "assistant",
                    "at": "2026-11-24T09:00:00Z",
                    "value": 3,
                }
                for i in range(events)
            ]
        )
        async with TestClient(TestServer(build_app(runtime))) as client:
            started = time.perf_counter()
            response = await client.post("/api/v1/usage", data=body, headers={"Authorization": "Bearer t"})
            elapsed = time.perf_counter() - started
            result = await response.json()
        assert response.status == 200 and result["stored"] == events, result
        store.close()
        return elapsed


def rss_with_enrolled(people: int = 100_000) -> dict[str, float]:
    """Start `coach run` on a database of `people` enrolled and read its memory after a tick."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        store = Store(url)
        from bot.migrations.migrate import upgrade

        upgrade(url)
        populate(
            store, load_content(PROJECT / "content"), people=people, due_now=1_000, now=datetime.now(UTC)
        )
        store.close()
        port = _free_port()
        env = {
            **os.environ,
            "COACH_DATABASE_URL": url,
            "COACH_PORT": str(port),
            "COACH_TICK_SECONDS": "1",
            "COACH_QUIET_HOURS": "",
            "COACH_CONTENT_DIR": str(PROJECT / "content"),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "run"],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_ready(port)
            time.sleep(5)  # a few ticks: the 1,000 due steps run and drain
            status = Path(f"/proc/{process.pid}/status").read_text()
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            return {
                "rss_mb": int(fields["VmRSS"].split()[0]) / 1024,
                "peak_mb": int(fields["VmHWM"].split()[0]) / 1024,
            }
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("coach run did not become ready")


async def run() -> str:
    small = await tick_cost(1_000)
    large = await tick_cost(100_000)
    drain = await outbox_drain(10_000, rate=1_000)
    ingest = await usage_ingest()
    memory = rss_with_enrolled()
    lines = [
        "| figure | measured | target |",
        "| --- | --- | --- |",
        f"| tick with 1,000 enrolled, 1,000 due | {small:.2f} s | about equal to the next line |",
        f"| tick with 100,000 enrolled, 1,000 due | {large:.2f} s (×{large / small:.2f}) | O(due), not O(enrolled) |",
        f"| drain 10,000 outbox messages at R = 1,000/s | {drain['seconds']:.2f} s "
        f"({drain['seconds'] / drain['bound']:.2f}× the {drain['bound']:.0f} s bound; "
        f"lost {drain['lost']:.0f}, doubled {drain['doubled']:.0f}, 429s {drain['refused_429']:.0f}) "
        "| ≤ 1.1× bound, 0 lost, 0 doubled |",
        f"| ingest 10,000 usage events in one request (SQLite) | {ingest:.2f} s | < 2 s |",
        f"| `coach run` RSS with 100,000 enrolled | {memory['rss_mb']:.0f} MB (peak {memory['peak_mb']:.0f} MB) | < 300 MB |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(asyncio.run(run()))
