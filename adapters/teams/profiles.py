"""A Teams person's email, asked of the connector the first time the coach meets them.

Activities carry a sender's name and ids but no email, so a Teams person was never matched to the owner
or enrolled person systems.yaml or an import names by email. The member endpoint (TeamsInfo.get_member)
gives `email` and `userPrincipalName`; asked once per person and process, kept for an hour, the miss
too. Clicks (invokes) use only what is already known: their answer is due within seconds. A failed or
slow lookup is logged and the turn goes on without the email (it is asked again after a while).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.events import Event

log = logging.getLogger(__name__)

TTL = 3600.0  # seconds a found (or missing) email is kept
RETRY_AFTER = 60.0  # seconds before a failed lookup is tried again
TIMEOUT = 3.0  # seconds a first contact waits at most
MOST_PEOPLE = 10_000


class MemberEmails:
    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic, timeout: float = TIMEOUT) -> None:
        self.monotonic = monotonic
        self.timeout = timeout
        self._known: dict[tuple[str, str], tuple[float, str | None]] = {}  # -> (good until, email)

    async def with_email(self, turn_context: TurnContext, event: Event, *, ask: bool = True) -> Event:
        """The event with its sender's email, when the connector has one (`ask=False`: from memory only)."""
        actor = event.actor
        if actor.email or actor.platform != "teams":
            return event
        sender = turn_context.activity.from_property
        member = str(getattr(sender, "id", "") or "")
        if not member:
            return event
        key = (actor.workspace, member)
        known = self._known.get(key)
        if known is not None and known[0] > self.monotonic():
            email = known[1]
        elif ask:
            email = await self._ask(turn_context, key)
        else:
            return event
        if not email:
            return event
        return dataclasses.replace(event, actor=dataclasses.replace(actor, email=email))

    async def _ask(self, turn_context: TurnContext, key: tuple[str, str]) -> str | None:
        now = self.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                account = await TeamsInfo.get_member(turn_context, key[1])
        except Exception as exc:  # refused, not found, hanging: the turn goes on without it
            log.info("Teams member lookup failed: %s", type(exc).__name__)
            self._remember(key, now + RETRY_AFTER, None)
            return None
        email = str(account.email or account.user_principal_name or "").strip() or None
        self._remember(key, now + TTL, email)
        return email

    def _remember(self, key: tuple[str, str], until: float, email: str | None) -> None:
        if len(self._known) >= MOST_PEOPLE:
            self._known.clear()
        self._known[key] = (until, email)
