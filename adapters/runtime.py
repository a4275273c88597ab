"""What every adapter is handed when it is mounted: the composed engine and its collaborators."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.content import Content, load_content
from bot.engine import Engine
from bot.flows import after_sent_handlers, async_job_handlers, build_router, job_handlers
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.models import OutboxMessage
from bot.outbox.pace import Pacer
from bot.people import service as people
from bot.people.service import MATCH
from bot.ports import Clock, Directory, SystemClock
from bot.schedule import service as schedule
from bot.schedule.ticker import Ticker
from bot.store.db import Store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    engine: Engine
    dispatcher: Dispatcher
    ticker: Ticker
    clock: Clock
    content: Content
    pacer: Pacer
    directories: dict[str, Directory] = field(default_factory=dict)  # adapters register theirs

    async def run_due_work(self) -> int:
        """One tick: run due work, then drain what it queued (tests call this with a fixed clock)."""
        ran = await self.ticker.tick()
        await self.dispatcher.drain()
        return ran


def seed_ownership(*, store: Store, content: Content, clock: Clock) -> None:
    """Roles named in systems.yaml that the database lacks (changes made in chat are kept)."""
    from bot.ownership.service import seed_from_content

    now = clock.now()
    store.run_sync_idempotent(lambda session: seed_from_content(session=session, content=content, now=now))


def seed_programme_versions(*, store: Store, content: Content, clock: Clock) -> None:
    """The programmes' current versions, before any first contact needs them."""
    from bot.programmes.service import remember_versions

    now = clock.now()
    store.run_sync_idempotent(lambda session: remember_versions(session=session, content=content, now=now))


def seed_demo(*, settings: Settings, store: Store, content: Content, clock: Clock) -> None:
    """The demo people with their roles, once per database; only for the embedded default (the local
    chat without any Slack or Teams credential), never on a platform deployment."""
    if not settings.demo_enabled:
        return
    from bot.demo import service as demo

    now = clock.now()
    steps = tuple(s for s in demo.STEPS if settings.demo_history or s.name != demo.HISTORY)
    store.run_sync_idempotent(lambda session: demo.seed(session=session, content=content, now=now, steps=steps))


def seed_housekeeping(*, store: Store, clock: Clock) -> None:
    """The recurring jobs (created once): pruning what would grow without bound, the weekly outcomes,
    the daily ownership confirmation sweep."""
    from bot.audit import hooks as audit_hooks
    from bot.outcomes import hooks as outcomes_hooks
    from bot.ownership import hooks as ownership_hooks
    from bot.privacy import hooks as privacy_hooks

    now = clock.now()

    def seed(session: Session) -> None:
        audit_hooks.ensure_scheduled(session=session, now=now)
        outcomes_hooks.ensure_scheduled(session=session, now=now)
        privacy_hooks.ensure_scheduled(session=session, now=now)
        ownership_hooks.ensure_scheduled(session=session, now=now)
        schedule.ensure_once(session=session, kind=MATCH, subject=MATCH, due_at=now, now=now)

    store.run_sync_idempotent(seed)


def _identity_readdressed(session: Session, row: OutboxMessage, address: Mapping[str, Any]) -> None:
    if row.person_id is not None:
        people.readdress(
            session=session,
            person_id=row.person_id,
            platform=row.platform,
            old=dict(row.address),
            new=dict(address),
        )


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    content: Content | None = None,
) -> Runtime:
    """The composition root for everything but HTTP: content, store, router, engine, ticker and outbox.

    Raises `bot.content.ContentError` when content/ has problems, so a broken file stops start-up.
    """
    clock = clock or SystemClock()
    content = content or load_content(settings.content_dir)
    store = store or Store(settings.database_url)
    seed_ownership(store=store, content=content, clock=clock)
    seed_programme_versions(store=store, content=content, clock=clock)
    seed_demo(settings=settings, store=store, content=content, clock=clock)  # after: the owner is seeded
    seed_housekeeping(store=store, clock=clock)
    dispatcher = Dispatcher(
        store=store,
        senders={},
        clock=clock,
        after_sent=after_sent_handlers(content=content, settings=settings),
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        readdressed=_identity_readdressed,
    )
    directories: dict[str, Directory] = {}
    ticker = Ticker(
        store=store,
        clock=clock,
        handlers=job_handlers(content=content, settings=settings),
        async_handlers=async_job_handlers(
            store=store, content=content, settings=settings, directories=directories
        ),
        on_ran=dispatcher.wake,
        lease=timedelta(seconds=settings.due_work_lease_seconds),
    )

    engine = Engine(
        store=store,
        settings=settings,
        router=build_router(),
        clock=clock,
        content=content,
        on_commit=dispatcher.wake,
        on_due_now=ticker.wake,
    )
    return Runtime(
        pacer=Pacer(store),
        settings=settings,
        store=store,
        engine=engine,
        dispatcher=dispatcher,
        ticker=ticker,
        clock=clock,
        content=content,
        directories=directories,
    )
