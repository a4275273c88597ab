"""Outcomes report on a year of usage (SQLite): how long it takes, and whether chat waits for it.

Report-only (never a test). 500,000 usage events over 365 days from 5,000 people on the two shipped
systems (~1,400 a day). Measures the report for 4, 12 and 52 weeks, and a small unit of work (what
each chat event is) alone and while a 52-week report runs through `Store.read`, as the API does.

Run: `.venv/bin/python -m bench.outcomes_bench [--events 500000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

from sqlalchemy import insert, text
from sqlmodel import Session

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bot.content import Content, load_content  # noqa: E402
from bot.migrations.migrate import create_all  # noqa: E402
from bot.outcomes.service import outcomes  # noqa: E402
from bot.store.db import Store  # noqa: E402
from bot.usage.models import UsageEvent  # noqa: E402

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
YEAR = 365 * 86_400


def populate(store: Store, events: int) -> None:
    pick = random.Random(7)
    systems = ("assistant", "contract-review")
    kinds = ("used", "used", "used", "minutes_saved")
    with store.database.begin() as connection:
        for start in range(0, events, 50_000):
            rows = [
                {
                    "external_id": f"e{i}",
                    "person_id": None,
                    "person_handle": f"person{pick.randrange(5_000)}@example.com",
                    "system_key": pick.choice(systems),
                    "kind": pick.choice(kinds),
                    "value": 10.0,
                    "at": NOW - timedelta(seconds=pick.randrange(YEAR)),
                    "received_at": NOW,
                }
                for i in range(start, min(events, start + 50_000))
            ]
            connection.execute(insert(UsageEvent), rows)


def report_seconds(store: Store, content: Content, weeks: int) -> float:
    start = time.perf_counter()
    store.run_sync(lambda s: outcomes(session=s, content=content, now=NOW, min_group=5, weeks=weeks))
    return time.perf_counter() - start


async def unit_ms(store: Store, count: int = 20) -> float:
    """Median milliseconds of a small unit of work (one read and one write, as a chat event does)."""

    def unit(session: Session) -> None:
        session.execute(text("SELECT count(*) FROM person"))
        session.execute(text("UPDATE usage_event SET value = value WHERE id = 1"))

    times = []
    for _ in range(count):
        start = time.perf_counter()
        await store.run(unit)
        times.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.02)
    return median(times)


async def main(events: int) -> None:
    content = load_content(PROJECT / "content")
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/outcomes.db")
        create_all(store)
        started = time.perf_counter()
        populate(store, events)
        filled = time.perf_counter() - started
        timings = {weeks: report_seconds(store, content, weeks) for weeks in (4, 12, 52)}
        alone = await unit_ms(store)
        report = asyncio.ensure_future(
            store.read(lambda s: outcomes(session=s, content=content, now=NOW, min_group=5, weeks=52))
        )
        await asyncio.sleep(0.05)  # the report is under way
        beside = await unit_ms(store)
        still_running = not report.done()
        await report
        store.close()
    print(
        f"{events:,} usage events over 365 days from 5,000 people, 2 systems (inserted in {filled:.1f} s)\n"
    )
    print("| figure | measured |")
    print("| --- | --- |")
    for weeks, seconds in timings.items():
        print(f"| outcomes report, {weeks} weeks, every system | {seconds:.2f} s |")
    print(f"| a chat-sized unit of work, median of 20 (baseline: nothing else running) | {alone:.1f} ms |")
    print(
        f"| the same while a 52-week report runs through `Store.read` (the API's path) | {beside:.1f} ms"
        f"{'' if still_running else ' (the report finished before the last unit)'} |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500_000)
    asyncio.run(main(parser.parse_args().events))
