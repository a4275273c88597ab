"""The due work people registers: matching people known only by email to their platform identity."""

from __future__ import annotations

from collections.abc import Mapping

from bot.config import Settings
from bot.content import Content
from bot.people.directory import match_handler
from bot.people.service import MATCH
from bot.ports import Directory
from bot.schedule.ticker import AsyncHandler
from bot.store.db import Store


def async_handlers(
    *, store: Store, content: Content, settings: Settings, directories: Mapping[str, Directory]
) -> dict[str, AsyncHandler]:
    return {MATCH: match_handler(store=store, directories=directories)}
