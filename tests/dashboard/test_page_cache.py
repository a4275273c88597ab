"""The dashboard's page cache: a page is kept until this process writes anything or it grows old, and the
store counts only units of work that wrote (a page view's reads leave the cache alone)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select, update

from adapters.runtime import Runtime
from bot.dashboard.cache import PageCache
from bot.people import service as people
from bot.people.models import Person
from bot.store.db import Store
from tests.dashboard.helpers import link_from_chat, sign_in
from tests.local.helpers import Client

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_a_page_is_kept_until_the_data_changes_or_it_grows_old() -> None:
    cache: PageCache[str] = PageCache(ttl=timedelta(minutes=2), size=2)
    cache.put("overview", "page", version=3, built_at=NOW)
    kept = cache.get("overview", version=3, now=NOW + timedelta(seconds=119))
    assert kept is not None and kept.value == "page" and kept.built_at == NOW
    assert cache.get("overview", version=4, now=NOW) is None  # a write since: built afresh
    cache.put("overview", "page", version=3, built_at=NOW)
    assert cache.get("overview", version=3, now=NOW + timedelta(minutes=2)) is None  # too old
    assert cache.get("overview", version=3, now=NOW - timedelta(seconds=1)) is None  # a clock set back
    for name in ("a", "b", "c"):
        cache.put(name, name, version=1, built_at=NOW)
    assert cache.get("a", version=1, now=NOW) is None  # the least recently used goes first
    assert cache.get("c", version=1, now=NOW) is not None


def test_the_store_counts_units_of_work_that_wrote_and_no_others(store: Store) -> None:
    before = store.changes.count
    store.run_sync(lambda s: s.exec(select(Person)).all())
    store.run_sync(
        lambda s: s.exec(update(Person).where(col(Person.email) == "nobody@example.com").values(active=False))
    )
    assert store.changes.count == before  # a read, and an update of no row, changed nothing
    store.run_sync(lambda s: people.ensure_by_email(session=s, email="ada@example.com", now=NOW))
    assert store.changes.count == before + 1

    def fails(s):  # type: ignore[no-untyped-def]
        people.ensure_by_email(session=s, email="omar@example.com", now=NOW)
        s.flush()
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        store.run_sync(fails)
    assert store.changes.count == before + 1  # nothing committed, nothing changed


def test_the_store_counts_writes_per_table(store: Store) -> None:
    """What the listings' snapshots are kept by (bot/store/snapshot): a write to person is no write to
    role_assignment; a statement whose table it cannot name counts for every table."""
    person, registry = store.changes.version(["person"]), store.changes.version(["role_assignment"])
    store.run_sync(lambda s: people.ensure_by_email(session=s, email="ada@example.com", now=NOW))
    assert store.changes.version(["person"]) != person
    assert store.changes.version(["role_assignment"]) == registry
    store.run_sync(lambda s: s.connection().exec_driver_sql("/* a comment */ DELETE FROM person"))
    assert store.changes.version(["role_assignment"]) != registry


def test_a_page_written_since_is_still_shown_while_young_enough() -> None:
    cache: PageCache[str] = PageCache(ttl=timedelta(minutes=2))
    cache.put("overview", "page", version=3, built_at=NOW)
    assert cache.get("overview", version=4, now=NOW) is None  # not fresh: a new one is to be built
    shown = cache.last("overview", now=NOW + timedelta(seconds=30))
    assert shown is not None and shown.value == "page"  # shown meanwhile, rather than a wait
    assert cache.last("overview", now=NOW + timedelta(minutes=2)) is None  # too old to show at all


async def test_after_a_write_the_kept_page_is_shown_and_a_fresh_one_built_beside(
    client: Client, runtime: Runtime
) -> None:
    """A coach in use writes with every message: the viewer gets the kept page at once, the next look
    the one built meanwhile."""
    await sign_in(client, await link_from_chat(client, "ada@example.com"))  # an admin
    assert (await client.get("/dashboard/funnel")).status == 200  # built and kept
    runtime.clock.advance(minutes=1)  # type: ignore[attr-defined]
    await link_from_chat(client, "bo@example.com")  # someone new: the coach wrote since
    shown = _as_of(await (await client.get("/dashboard/funnel")).text())
    assert shown  # the kept page (built a minute ago), not a wait for a new one
    for _ in range(200):
        fresh = _as_of(await (await client.get("/dashboard/funnel")).text())
        if fresh != shown:
            break
        await asyncio.sleep(0.02)
    assert fresh > shown  # the page built beside it, a minute later


def _as_of(html: str) -> str:
    found = re.search(r"Figures as of ([0-9-]+ [0-9:]+)", html)
    return found.group(1) if found else ""
