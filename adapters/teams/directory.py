"""The `Directory`, `Roster` and `PeopleFinder` ports for Teams: members from the connector's paged
members endpoint of the team channels the coach has seen.

Called inside `continue_conversation` with the channel's stored ConversationReference, so the
connector client carries the bot's token (TeamsInfo.get_paged_members would need the inbound
activity's channelData, which a continued conversation lacks). Teams lets a bot write first to people who
installed the app or share a team with it: a member of a team channel's roster comes back with a
`roster_address` (the sender creates the 1:1 conversation on the first message and the address with its
id is stored); a member of a group chat's roster only with an email and a name, no address.

Every page is a request under the app's quota in the tenant (Teams counts roster reads with messages):
it waits for its moment on the shared pace (`throttle.tenant_moment`), and a 429 pauses the tenant for
every process and is waited out, a few times at most, before the roster read fails.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
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


Places = Callable[[str], Awaitable[Sequence[Mapping[str, Any]]]]  # workspace -> channel addresses seen


class ChannelMembers:
    def __init__(
        self,
        *,
        adapter: CloudAdapterBase,
        app_id: str,
        throttle: ConversationThrottle | None = None,
        places: Places | None = None,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.throttle = throttle if throttle is not None else ConversationThrottle()
        self.places = places

    async def by_email(self, emails: Sequence[str], *, workspaces: Sequence[str]) -> dict[str, Actor]:
        """The `PeopleFinder` port: people known by email matched through the rosters of the team channels
        seen in each tenant met (no tenant directory without Graph); those not found stay unmatched."""
        wanted = {email.lower() for email in emails}
        found: dict[str, Actor] = {}
        if self.places is None:
            return found
        for workspace in workspaces:
            places = await self.places(workspace)
            if not places:
                continue
            try:
                members = await self.everyone(workspace, places)
            except Exception as exc:  # looked for again at the next match
                log.warning("Teams rosters of tenant %s could not be read: %s", workspace, exc)
                continue
            for actor in members:
                email = (actor.email or "").lower()
                if email in wanted and actor.address:
                    found.setdefault(email, actor)
        return found

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
        in_team = (reference.conversation.conversation_type or "") == "channel"
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
        bot = {"id": reference.bot.id, "name": reference.bot.name} if reference.bot is not None else {}
        return [
            _actor(member, tenant, service_url=reference.service_url if in_team else "", bot=bot)
            for member in found
            if not str(member.id or "").startswith("28:")
        ]

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


def roster_address(
    *, service_url: str, tenant: str, member_id: str, bot: Mapping[str, Any]
) -> dict[str, Any]:
    """How to reach a team member who never wrote: no conversation id yet, the sender creates it."""
    return {
        "serviceUrl": service_url,
        "channelId": "msteams",
        "bot": dict(bot),
        "user": {"id": member_id},
        "conversation": {"tenantId": tenant, "conversationType": "personal"},
    }


def _actor(member: Any, tenant: str, *, service_url: str, bot: Mapping[str, Any]) -> Actor:
    workspace = str(member.tenant_id or tenant)
    address = (
        roster_address(service_url=service_url, tenant=workspace, member_id=str(member.id), bot=bot)
        if service_url and member.id
        else {}  # a group chat's member: reachable once they install the app or write to the bot
    )
    return Actor(
        platform="teams",
        workspace=workspace,
        user_id=str(member.aad_object_id or member.id),
        display_name=member.name or None,
        email=member.email or member.user_principal_name or None,
        address=address,
    )
