"""Issue #8's figure: 10,000 recipients through a fake platform that enforces a published rate.

The announcement fans out in chunks (due work) while the dispatcher drains, paced by its token
bucket; the fake platform answers 429 above its rate. Report-only: prints a markdown table row.
Run: `.venv/bin/python -m bench.announcement_bench [PEOPLE] [RATE]`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

from bench.programme_bench import RateLimitedPlatform
from bot.announcements import drafts, hooks, service
from bot.announcements.models import Announcement, AnnouncementState
from bot.config import load_settings
from bot.content import Content, load_content
from bot.migrations.migrate import create_all
from bot.outbox.dispatcher import Dispatcher
from bot.people.models import Identity, Person
from bot.schedule.ticker import Ticker
from bot.store.db import Store

PROJECT = Path(__file__).resolve().parents[1]
BATCH = 100


class _RealClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _populate(store: Store, people: int, now: datetime) -> None:
    with store.session() as session:
        session.execute(
            insert(Person),
            [
                {"id": i, "email": f"p{i}@example.com", "display_name": f"P{i} Bench", "created_at": now}
                for i in range(1, people + 1)
            ],
        )
        session.execute(
            insert(Identity),
            [
                {
                    "person_id": i,
                    "platform": "bench",
                    "workspace": "w",
                    "user_id": f"u{i}",
                    "address": {"user": i},
                    "reachable": True,
                    "last_seen_at": now,
                }
                for i in range(1, people + 1)
            ],
        )


# Critical, so the attention policy sends at once whatever the machine's clock says: the figure is
# about fan-out and pacing, not working hours.
REQUEST = drafts.Request(
    title="Compass 2026-12 is live",
    body="Hi {{ person.first_name }}: answers now cite their sources.",
    system="assistant",
    model_version="compass-2026-12",
    audience_kind="everyone",
    ack_required=True,
    critical=True,
)


def _create(session: Session, *, content: Content, now: datetime) -> int:
    row = drafts.create(
        session=session,
        content=content,
        request=REQUEST,
        author=None,
        author_name="bench",
        now=now,
        client_key="bench",
    )
    service.confirm(session=session, announcement=row, now=now)
    assert row.id is not None
    return row.id


async def announce(people: int = 10_000, rate: float = 500.0) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        store = Store(url)
        create_all(store)
        content = load_content(PROJECT / "content")
        settings = load_settings(
            COACH_DATABASE_URL=url,
            COACH_QUIET_HOURS="",
            COACH_CONTENT_DIR=str(PROJECT / "content"),
            _env_file=None,
        )
        clock = _RealClock()
        _populate(store, people, clock.now())
        platform = RateLimitedPlatform(rate)
        dispatcher = Dispatcher(store=store, senders={"bench": platform}, clock=clock, batch=BATCH)
        ticker = Ticker(store=store, clock=clock, handlers=hooks.handlers(content=content, settings=settings))
        started = time.perf_counter()
        announcement_id = await store.run(lambda s: _create(s, content=content, now=clock.now()))

        async def fan_out() -> float:
            while True:
                await ticker.tick()
                found = await store.run(lambda s: s.get(Announcement, announcement_id))
                if found is not None and found.state == AnnouncementState.done:
                    return time.perf_counter() - started
                await asyncio.sleep(0)

        async def drain() -> None:
            while sum(platform.delivered.values()) < people:
                await dispatcher.drain()
                await asyncio.sleep(0.001)

        fanned, _ = await asyncio.gather(fan_out(), drain())
        elapsed = time.perf_counter() - started
        store.close()
        return {
            "people": people,
            "rate": rate,
            "seconds": elapsed,
            "fan_out_seconds": fanned,
            "bound": people / rate,
            "lost": people - len(platform.delivered),
            "doubled": sum(1 for n in platform.delivered.values() if n > 1),
            "refused_429": platform.refused,
        }


def row(result: dict[str, float]) -> str:
    return (
        f"| announce to {result['people']:,.0f} at R = {result['rate']:,.0f}/s | {result['seconds']:.2f} s "
        f"({result['seconds'] / result['bound']:.2f}× the {result['bound']:.0f} s bound; fan-out done in "
        f"{result['fan_out_seconds']:.2f} s; lost {result['lost']:.0f}, doubled {result['doubled']:.0f}, "
        f"429s {result['refused_429']:.0f}) | ≤ 1.1× bound, 0 lost, 0 doubled |"
    )


if __name__ == "__main__":
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 500.0
    print("| figure | measured | target |\n| --- | --- | --- |")
    print(row(asyncio.run(announce(people, rate))))
