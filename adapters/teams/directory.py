"""The `Directory` port for Teams: a channel's members from the connector's paged members endpoint.

Called inside `continue_conversation` with the channel's stored ConversationReference, so the
connector client carries the bot's token (TeamsInfo.get_paged_members would need the inbound
activity's channelData, which a continued conversation lacks). Teams lets a bot message someone only after they installed
the app or wrote to it, so members come back with an email and a name but no address.

Every page is a request under the app's quota in the tenant (Teams counts roster reads with messages):
it waits for its moment on the shared pace (`throttle.tenant_moment`), and a 429 pauses the tenant for
every process and is waited out, a few times at most, before the roster read fails.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from botbuilder.core import BotAdapter, CloudAdapterBase, TurnContext

from adapters.teams.sender import classify, reference_from_address
from adapters.teams.throttle import ConversationThrottle
from bot.events import Actor
from bot.ports import RetryLater

log = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_PAGES = 500
REFUSALS_AT_MOST = 5  # 429s waited out for one page before the roster read fails


class ChannelMembers:
    def __init__(
        self, *, adapter: CloudAdapterBase, app_id: str, throttle: ConversationThrottle | None = None
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.throttle = throttle if throttle is not None else ConversationThrottle()

    async def everyone(self, workspace: str, places: Sequence[Mapping[str, Any]]) -> list[Actor]:
        """The `Roster` port: the members of the teams (and group chats) of the channels the coach has
        seen in the tenant, each once; there is no tenant roster without Graph. A conversation that can
        no longer be read is skipped unless none can."""
        found: dict[str, Actor] = {}
        failures: list[Exception] = []
        for address in places:
            try:
                for actor in await self.members(address):
                    if not workspace or actor.workspace == workspace:
                        found.setdefault(actor.user_id, actor)
            except Exception as exc:  # the app removed from that team: its roster is gone, not the rest
                log.warning("Teams roster of a channel could not be read: %s", exc)
                failures.append(exc)
        if failures and len(failures) == len(places):
            raise failures[0]
        return list(found.values())

    async def members(self, address: Mapping[str, Any]) -> list[Actor]:
        reference = reference_from_address(address)
        if not reference.service_url or reference.conversation is None or not reference.conversation.id:
            return []
        conversation = reference.conversation.id = reference.conversation.id.split(";messageid=")[0]
        tenant = str(reference.conversation.tenant_id or "")
        found: list[Any] = []
        failures: list[Exception] = []

        async def callback(context: TurnContext) -> None:
            try:
                client = context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]
                token: str | None = None
                for _ in range(MAX_PAGES):
                    page = await self._page(client, conversation, tenant, token)
                    found.extend(page.members or [])
                    token = page.continuation_token
                    if not token:
                        return
            except Exception as exc:  # the adapter's turn-error handler would swallow it
                failures.append(exc)

        await self.adapter.continue_conversation(reference, callback, bot_app_id=self.app_id)
        if failures:
            mapped = classify(failures[0])
            raise mapped from failures[0]
        return [_actor(member, tenant) for member in found if not str(member.id or "").startswith("28:")]

    async def _page(self, client: Any, conversation: str, tenant: str, token: str | None) -> Any:
        """One page of members, at the tenant's pace; a 429 is waited out (the pace holds the pause)."""
        for refusals in range(REFUSALS_AT_MOST + 1):
            await self.throttle.tenant_moment(tenant or None)
            try:
                return await client.conversations.get_teams_conversation_paged_members(
                    conversation, PAGE_SIZE, token
                )
            except Exception as exc:
                mapped = classify(exc)
                if refusals == REFUSALS_AT_MOST or not (isinstance(mapped, RetryLater) and mapped.throttled):
                    raise
                await self.throttle.tenant_refused(tenant or None, mapped.after_seconds)
        raise AssertionError("unreachable")  # the last refusal raised


def _actor(member: Any, tenant: str) -> Actor:
    return Actor(
        platform="teams",
        workspace=str(member.tenant_id or tenant),
        user_id=str(member.aad_object_id or member.id),
        display_name=member.name or None,
        email=member.email or member.user_principal_name or None,
        address={},  # reachable once they install the app or write to the bot
    )
