"""Issue #8's crash figure: kill -9 the process mid-fan-out, start it again, count lost and doubled.

A worker process runs the ticker and the dispatcher against a fake platform that appends every
message it shows to a log file. The parent kills the worker once part of the audience has the
message, then starts a new worker whose clock is past both leases (due work 5 min, outbox 2 min), as
a restarted process would be after waiting them out. Like Slack's sender (message metadata), the
fake platform looks back on a retried row and does not show it twice. Report-only.
Run: `.venv/bin/python -m bench.announcement_crash [PEOPLE] [RATE]`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.announcement_bench import PROJECT, _create, _populate
from bench.programme_bench import RateLimitedPlatform
from bot.announcements import hooks
from bot.config import load_settings
from bot.content import load_content
from bot.migrations.migrate import create_all
from bot.outbox.dispatcher import Dispatcher
from bot.ports import Outgoing, Sent
from bot.schedule.ticker import Ticker
from bot.store.db import Store

PAST_THE_LEASES = timedelta(minutes=6)


class _OffsetClock:
    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class LoggingPlatform(RateLimitedPlatform):
    """Shows a message by appending its key to a file; a retried row is looked up there first."""

    def __init__(self, rate: float, log: Path) -> None:
        super().__init__(rate)
        self.log = log
        self.file = log.open("a", encoding="utf-8")

    async def send(self, outgoing: Outgoing) -> Sent:
        if outgoing.look_back and outgoing.idempotency_key in set(self.log.read_text().split()):
            with self.log.with_suffix(".skipped").open("a", encoding="utf-8") as skipped:
                skipped.write(outgoing.idempotency_key + "\n")
            return Sent(message_id=outgoing.idempotency_key)
        sent = await super().send(outgoing)
        self.file.write(outgoing.idempotency_key + "\n")
        self.file.flush()
        return sent


async def _work(url: str, rate: float, log: Path, offset: timedelta) -> None:
    store = Store(url)
    content = load_content(PROJECT / "content")
    settings = load_settings(
        COACH_DATABASE_URL=url,
        COACH_QUIET_HOURS="",
        COACH_CONTENT_DIR=str(PROJECT / "content"),
        _env_file=None,
    )
    clock = _OffsetClock(offset)
    platform = LoggingPlatform(rate, log)
    dispatcher = Dispatcher(store=store, senders={"bench": platform}, clock=clock, batch=100)
    ticker = Ticker(store=store, clock=clock, handlers=hooks.handlers(content=content, settings=settings))

    async def tick() -> None:
        while True:
            await ticker.tick()
            await asyncio.sleep(0.01)

    async def drain() -> None:
        while True:
            await dispatcher.drain()
            await asyncio.sleep(0.001)

    await asyncio.gather(tick(), drain())


def _lines(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def _worker(url: str, rate: float, log: Path, offset: timedelta) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.announcement_crash",
            "--worker",
            url,
            str(rate),
            str(log),
            str(offset.total_seconds()),
        ],
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )


def crash_and_restart(people: int = 10_000, rate: float = 500.0, kill_at: float = 0.4) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        log = Path(tmp) / "shown.log"
        store = Store(url)
        create_all(store)
        content = load_content(PROJECT / "content")
        now = datetime.now(UTC)
        _populate(store, people, now)
        store.run_sync(lambda s: _create(s, content=content, now=now))
        store.close()
        started = time.perf_counter()
        first = _worker(url, rate, log, timedelta(0))
        while len(_lines(log)) < people * kill_at:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        shown_at_kill = len(_lines(log))
        second = _worker(url, rate, log, PAST_THE_LEASES)
        deadline = time.monotonic() + 10 * people / rate + 60
        while len(set(_lines(log))) < people and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # anything still in flight would show up as a double now
        second.send_signal(signal.SIGKILL)
        second.wait()
        shown = Counter(_lines(log))
        return {
            "people": people,
            "rate": rate,
            "seconds": time.perf_counter() - started,
            "shown_at_kill": shown_at_kill,
            "lost": people - len(shown),
            "doubled": sum(1 for n in shown.values() if n > 1),
            "looked_back": len(_lines(log.with_suffix(".skipped"))),
        }


def row(result: dict[str, float]) -> str:
    return (
        f"| announce to {result['people']:,.0f} at R = {result['rate']:,.0f}/s, kill -9 after "
        f"{result['shown_at_kill']:,.0f} shown, restart | lost {result['lost']:.0f}, doubled "
        f"{result['doubled']:.0f}; {result['looked_back']:.0f} re-sent rows the platform look-back skipped "
        f"({result['seconds']:.1f} s wall) | 0 lost, 0 doubled |"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        url, rate, log, offset = sys.argv[2], float(sys.argv[3]), Path(sys.argv[4]), float(sys.argv[5])
        asyncio.run(_work(url, rate, log, timedelta(seconds=offset)))
    else:
        people = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
        rate = float(sys.argv[2]) if len(sys.argv) > 2 else 500.0
        print("| figure | measured | target |\n| --- | --- | --- |")
        print(row(crash_and_restart(people, rate)))
