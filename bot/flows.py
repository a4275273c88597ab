"""The one place that lists the domains: their flows, their due-work handlers, their after-sent hooks.

A domain's `flows` module has `register(router)`; a domain may also have a `hooks` module with
`handlers(*, content, settings) -> {kind: handler}` (due work the clock runs) and
`after_sent() -> {name: handler}` (called when an outbox row it queued has been delivered) and
`async_handlers(*, store, content, settings, directories) -> {kind: handler}` (due work that awaits
the outer ring, e.g. a platform's directory). Each is imported by name, so the import graph shows
every edge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.admin import flows as admin_flows
from bot.announcements import flows as announcements_flows
from bot.announcements import hooks as announcements_hooks
from bot.audit import hooks as audit_hooks
from bot.config import Settings
from bot.content import Content
from bot.dashboard import flows as dashboard_flows
from bot.decisions import flows as decisions_flows
from bot.decisions import hooks as decisions_hooks
from bot.drills import flows as drills_flows
from bot.drills import hooks as drills_hooks
from bot.escalations import flows as escalations_flows
from bot.escalations import hooks as escalations_hooks
from bot.evidence import flows as evidence_flows
from bot.friction import flows as friction_flows
from bot.friction import hooks as friction_hooks
from bot.handover import flows as handover_flows
from bot.help import flows as help_flows
from bot.outbox import flows as outbox_flows
from bot.outbox.dispatcher import AfterSent
from bot.outcomes import flows as outcomes_flows
from bot.outcomes import hooks as outcomes_hooks
from bot.ownership import flows as ownership_flows
from bot.ownership import hooks as ownership_hooks
from bot.people import flows as people_flows
from bot.people import hooks as people_hooks
from bot.ports import Directory
from bot.privacy import flows as privacy_flows
from bot.privacy import hooks as privacy_hooks
from bot.programmes import flows as programmes_flows
from bot.programmes import hooks as programmes_hooks
from bot.readiness import flows as readiness_flows
from bot.readiness import hooks as readiness_hooks
from bot.routing import Router
from bot.schedule.ticker import AsyncHandler, Handler
from bot.store.db import Store


class Handlers(Protocol):
    def __call__(self, *, content: Content, settings: Settings) -> dict[str, Handler]: ...


class AfterSentHooks(Protocol):
    def __call__(self, *, content: Content, settings: Settings) -> dict[str, AfterSent]: ...


class AsyncHandlers(Protocol):
    def __call__(
        self, *, store: Store, content: Content, settings: Settings, directories: Mapping[str, Directory]
    ) -> dict[str, AsyncHandler]: ...


@dataclass(frozen=True)
class Domain:
    name: str
    register: Callable[[Router], None] | None = None
    handlers: Handlers | None = None
    after_sent: AfterSentHooks | None = None
    async_handlers: AsyncHandlers | None = None


# In order: commands, buttons and first-contact hooks are registered (and `help` lists them) so.
DOMAINS = (
    Domain("help", help_flows.register),
    Domain("people", people_flows.register, async_handlers=people_hooks.async_handlers),
    Domain(
        "programmes",
        programmes_flows.register,
        handlers=programmes_hooks.handlers,
        async_handlers=programmes_hooks.async_handlers,
    ),
    Domain("ownership", ownership_flows.register, handlers=ownership_hooks.handlers),
    Domain(
        "escalations",
        escalations_flows.register,
        handlers=escalations_hooks.handlers,
        after_sent=escalations_hooks.after_sent,
    ),
    Domain("readiness", readiness_flows.register, handlers=readiness_hooks.handlers),
    Domain("friction", friction_flows.register, handlers=friction_hooks.handlers),
    Domain(
        "announcements",
        announcements_flows.register,
        handlers=announcements_hooks.handlers,
        after_sent=announcements_hooks.after_sent,
    ),
    Domain("admin", admin_flows.register),
    Domain("outbox", outbox_flows.register),
    Domain("audit", handlers=audit_hooks.handlers),
    Domain("outcomes", outcomes_flows.register, handlers=outcomes_hooks.handlers),
    Domain("dashboard", dashboard_flows.register),
    Domain("decisions", decisions_flows.register, handlers=decisions_hooks.handlers),
    Domain("drills", drills_flows.register, handlers=drills_hooks.handlers),
    Domain("handover", handover_flows.register),
    Domain("evidence", evidence_flows.register),
    Domain("privacy", privacy_flows.register, handlers=privacy_hooks.handlers),
)


def build_router() -> Router:
    router = Router()
    for domain in DOMAINS:
        if domain.register is not None:
            domain.register(router)
    return router


def job_handlers(*, content: Content, settings: Settings) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for domain in DOMAINS:
        if domain.handlers is not None:
            handlers.update(domain.handlers(content=content, settings=settings))
    return handlers


def async_job_handlers(
    *, store: Store, content: Content, settings: Settings, directories: Mapping[str, Directory]
) -> dict[str, AsyncHandler]:
    handlers: dict[str, AsyncHandler] = {}
    for domain in DOMAINS:
        if domain.async_handlers is not None:
            handlers.update(
                domain.async_handlers(
                    store=store, content=content, settings=settings, directories=directories
                )
            )
    return handlers


def after_sent_handlers(*, content: Content, settings: Settings) -> dict[str, AfterSent]:
    hooks: dict[str, AfterSent] = {}
    for domain in DOMAINS:
        if domain.after_sent is not None:
            hooks.update(domain.after_sent(content=content, settings=settings))
    return hooks
