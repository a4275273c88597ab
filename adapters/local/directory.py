"""The local chat's directory: the members of a channel are the people who posted in it or watch it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.local import identity
from adapters.local.hub import Hub
from bot.events import Actor


class LocalDirectory:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def members(self, address: Mapping[str, Any]) -> list[Actor]:
        """Everyone who posted in or has a tab open on the channel, reachable at their DM."""
        if set(address) != {"channel"}:
            return []
        key = identity.address_key(address)  # raises BadAddress for a name the chat would not accept
        return [identity.actor(email) for email in await self.hub.members(key)]
