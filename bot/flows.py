"""The one place that lists the domains: their flows, their due-work handlers, their after-sent hooks.

A domain's `flows` module has `register(router)`; a domain may also have a `jobs` module with
`handlers(*, content, settings) -> {kind: handler}` (due work the clock runs) and
`after_sent() -> {name: handler}` (called when an outbox row it queued has been delivered) and
`async_handlers(*, store, content, settings, directories) -> {kind: handler}` (due work that awaits
the outer ring, e.g. a platform's directory).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType

from bot.config import Settings
from bot.content import Content
from bot.outbox.dispatcher import AfterSent
from bot.ports import Directory
from bot.routing import Router
from bot.schedule.ticker import AsyncHandler, Handler
from bot.store.db import Store

DOMAINS = (
    "help",
    "people",
    "programmes",
    "ownership",
    "escalations",
    "friction",
    "announcements",
    "admin",
    "audit",
    "outcomes",
)


def _module(domain: str, name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"bot.{domain}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name in (f"bot.{domain}", f"bot.{domain}.{name}"):
            return None
        raise


def build_router() -> Router:
    router = Router()
    for domain in DOMAINS:
        flows = _module(domain, "flows")
        if flows is not None:
            flows.register(router)
    return router


def job_handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for domain in DOMAINS:
        jobs = _module(domain, "jobs")
        if jobs is not None and hasattr(jobs, "handlers"):
            handlers.update(jobs.handlers(content=content, settings=settings))
    return handlers


def async_job_handlers(
    *, store: Store, content: Content, settings: Settings, directories: Mapping[str, Directory]
) -> dict[str, AsyncHandler]:
    handlers: dict[str, AsyncHandler] = {}
    for domain in DOMAINS:
        jobs = _module(domain, "jobs")
        if jobs is not None and hasattr(jobs, "async_handlers"):
            handlers.update(
                jobs.async_handlers(store=store, content=content, settings=settings, directories=directories)
            )
    return handlers


def after_sent_handlers(*, content: Content, settings: Settings) -> dict[str, AfterSent]:
    hooks: dict[str, AfterSent] = {}
    for domain in DOMAINS:
        jobs = _module(domain, "jobs")
        if jobs is not None and hasattr(jobs, "after_sent"):
            hooks.update(jobs.after_sent(content=content, settings=settings))
    return hooks
