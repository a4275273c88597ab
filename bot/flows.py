"""Builds the router from every domain's flows: the one place that lists them."""

from __future__ import annotations

from bot.help import flows as help_flows
from bot.ownership import flows as ownership_flows
from bot.people import flows as people_flows
from bot.programmes import flows as programme_flows
from bot.routing import Router


def build_router() -> Router:
    router = Router()
    help_flows.register(router)
    people_flows.register(router)
    programme_flows.register(router)
    ownership_flows.register(router)
    return router
