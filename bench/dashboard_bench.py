"""Dashboard pages on a year of data for 5,000 people: milliseconds per page, warm process, p50 and p95.

Report-only (never a test). Fills a fresh database (SQLite file, or a PostgreSQL schema when
`--postgres URL` is given) with bench/populate.py's year, starts the coach's aiohttp app on a free port,
signs an admin in (every system: the heaviest pages) and fetches each page `--rounds` times after one
warm-up fetch, over real HTTP. `--screenshots DIR` also saves a full-page screenshot of every page
(Debian's Chromium). Run: `.venv/bin/python -m bench.dashboard_bench [--postgres URL]`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from statistics import median, quantiles

import aiohttp
from aiohttp import web
from sqlalchemy import create_engine, text
from sqlmodel import func, select

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from adapters.runtime import build_runtime, seed_ownership  # noqa: E402
from adapters.web.app import build_app  # noqa: E402
from adapters.web.dashboard.sessions import COOKIE  # noqa: E402
from bench.populate import populate_history  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.dashboard import signin  # noqa: E402
from bot.migrations.migrate import create_all  # noqa: E402
from bot.people import service as people  # noqa: E402
from bot.people.models import Person  # noqa: E402
from bot.ports import FixedClock  # noqa: E402
from bot.store.db import Store  # noqa: E402
from bot.usage import days  # noqa: E402

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PERIODS = ("", "?weeks=52")  # the default 12 weeks, and a year (`--year` off: the default only)
PAGES = ("overview", "funnel", "escalations", "friction", "announcements", "readiness", "me")


async def measure(
    url: str, *, people_count: int, weeks: int, rounds: int, shots: Path | None, reuse: bool = False
) -> str:
    content = load_content(PROJECT / "content")
    store = Store(url)
    started = time.perf_counter()
    create_all(store)
    if reuse and store.run_sync(lambda s: s.exec(select(func.count()).select_from(Person)).one()):
        made = "the database given, filled before"  # a rerun on the same year: no second fill
    else:
        seed_ownership(store=store, content=content, clock=FixedClock(NOW))  # the owners the flags go to
        made = populate_history(store, content, people=people_count, weeks=weeks, now=NOW)
    filled = time.perf_counter() - started
    # The per-day usage rollup as a deployment keeps it (the migration fills it, the daily job and the
    # pages catch up): days rolled up before the pages are asked for, timed apart.
    started = time.perf_counter()
    rolled = store.run_sync(lambda s: days.catch_up(session=s, systems=list(content.systems), now=NOW))
    made += f"; {rolled} system-days of usage rolled up in {time.perf_counter() - started:.1f} s"
    settings = load_settings(
        COACH_DATABASE_URL=url, COACH_CONTENT_DIR=str(PROJECT / "content"), COACH_DEMO="false", _env_file=None
    )
    runtime = build_runtime(settings, clock=FixedClock(NOW), store=store, content=content)

    def admin_session(session):  # type: ignore[no-untyped-def]
        ada = people.ensure_by_email(session=session, email="ada@example.com", now=NOW, display_name="Ada")
        ada.is_admin = True
        session.flush()
        return signin.open_session(session=session, person_id=ada.id, now=NOW).token

    token = store.run_sync(admin_session)
    runner = web.AppRunner(build_app(runtime))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        async with aiohttp.ClientSession(cookies={COOKIE: token}) as client:
            for name in PAGES:
                for query in PERIODS:
                    if name in ("readiness", "me") and query:
                        continue
                    times = []
                    for _ in range(rounds + 1):
                        begun = time.perf_counter()
                        async with client.get(f"{base}/dashboard/{name}{query}") as response:
                            await response.read()
                            assert response.status == 200, (name, response.status)
                        times.append((time.perf_counter() - begun) * 1000)
                    # The first fetch builds the page (and draws its charts); the rest are served from the
                    # page cache while nothing is written (as when people look at the dashboard).
                    first, times = times[0], times[1:]
                    p95 = quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
                    rows.append(
                        f"| {name}{query or ' (12 weeks)'} | {first:.0f} | {median(times):.0f} | {p95:.0f} |"
                    )
                    print(rows[-1], file=sys.stderr, flush=True)  # progress: a loaded machine is slow
        if shots is not None:
            await screenshots(base, token, shots)
    finally:
        await runner.cleanup()
        store.close()
    table = "\n".join(rows)
    return (
        f"{made} (inserted in {filled:.0f} s)\n\n| page | first fetch ms (built) | p50 ms | p95 ms |\n"
        f"| --- | ---: | ---: | ---: |\n{table}\n"
    )


async def screenshots(base: str, token: str, folder: Path) -> None:
    from playwright.async_api import async_playwright

    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        context = await browser.new_context(
            viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin"
        )
        await context.add_cookies([{"name": COOKIE, "value": token, "url": base}])
        page = await context.new_page()
        for name in PAGES:
            await page.goto(f"{base}/dashboard/{name}")
            await page.screenshot(path=str(folder / f"dashboard-{name}.png"), full_page=True)
        await browser.close()


def postgres_schema(url: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with create_engine(url).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    return schema, f"{url}{sep}options=-csearch_path%3D{schema}"


async def main(args: argparse.Namespace) -> None:
    global PERIODS, PAGES
    if args.pages:
        PAGES = tuple(args.pages.split(","))
    if args.no_year:
        PERIODS = ("",)
    print(
        f"An admin (every system) fetches each page {args.rounds} times after one warm-up fetch (its time shown apart), over HTTP;"
    )
    print("default period 12 weeks, and 52. Milliseconds from request to the last byte.\n")
    if args.reuse:  # one database filled once, measured as often as wanted (profiling)
        print(await measure(
            args.reuse, people_count=args.people, weeks=args.weeks, rounds=args.rounds,
            shots=Path(args.screenshots) if args.screenshots else None, reuse=True,
        ))  # fmt: skip
        return
    with tempfile.TemporaryDirectory() as folder:
        if not args.only_postgres:
            print("**SQLite**: " + await measure(
                f"sqlite:///{folder}/dashboard.db", people_count=args.people, weeks=args.weeks,
                rounds=args.rounds, shots=Path(args.screenshots) if args.screenshots else None,
            ))  # fmt: skip
    if args.postgres:
        schema, url = postgres_schema(args.postgres)
        try:
            print(
                "**PostgreSQL**: "
                + await measure(
                    url, people_count=args.people, weeks=args.weeks, rounds=args.rounds, shots=None
                )
            )
        finally:
            with create_engine(args.postgres).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--postgres", default="", help="a PostgreSQL URL: also measure there, in a new schema"
    )
    parser.add_argument("--only-postgres", action="store_true", help="skip the SQLite measurement")
    parser.add_argument("--no-year", action="store_true", help="only the default 12-week period")
    parser.add_argument("--pages", default="", help="only these pages, comma-separated")
    parser.add_argument(
        "--reuse", default="", help="a database URL: fill it if empty, else measure the year already in it"
    )
    parser.add_argument("--screenshots", default="", help="a folder: save a screenshot of every page")
    asyncio.run(main(parser.parse_args()))
