"""What every adapter is handed when it is mounted: the composed engine and its collaborators."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.engine import Engine
from bot.outbox.dispatcher import Dispatcher
from bot.ports import Clock
from bot.store.db import Store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    engine: Engine
    dispatcher: Dispatcher
    clock: Clock


def build_runtime(settings: Settings, *, clock: Clock | None = None, store: Store | None = None) -> Runtime:
    """The composition root for everything but HTTP: store, router, engine and outbox dispatcher."""
    from bot.flows import build_router
    from bot.ports import SystemClock

    clock = clock or SystemClock()
    store = store or Store(settings.database_url)
    dispatcher = Dispatcher(store=store, senders={}, clock=clock)
    engine = Engine(
        store=store, settings=settings, router=build_router(), clock=clock, on_commit=dispatcher.wake
    )
    return Runtime(settings=settings, store=store, engine=engine, dispatcher=dispatcher, clock=clock)
