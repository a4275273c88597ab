"""The one place that lists the domains: their flows, their due-work handlers, their after-sent hooks.

A domain's `flows` module has `register(router)`; a domain may also have a `jobs` module with
`handlers(*, content, settings) -> {kind: handler}` (due work the clock runs) and
`after_sent() -> {name: handler}` (called when an outbox row it queued has been delivered).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from bot.config import Settings
from bot.content import Content
from bot.outbox.dispatcher import AfterSent
from bot.routing import Router
from bot.schedule.ticker import Handler

DOMAINS = (
    "help",
    "people",
    "programmes",
    "ownership",
    "escalations",
    "friction",
    "announcements",
    "admin",
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


def after_sent_handlers(*, content: Content, settings: Settings) -> dict[str, AfterSent]:
    hooks: dict[str, AfterSent] = {}
    for domain in DOMAINS:
        jobs = _module(domain, "jobs")
        if jobs is not None and hasattr(jobs, "after_sent"):
            hooks.update(jobs.after_sent(content=content, settings=settings))
    return hooks
