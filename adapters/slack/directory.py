"""What the adapter asks Slack about people: profiles (users.info), DM channels (conversations.open)
and a channel's members (conversations.members), the last as the engine's `Directory` port.

Both are cached for a while: users.info is rate-limited per workspace, and a DM channel id never
changes. Each cache holds at most `max_entries` and forgets the least recently used first, so a rollout
larger than that keeps its recent people rather than emptying the cache and reading everyone again. Profiles read in bulk (users.list pages, lookups by email, for the directory match) fill the same
cache, so a first contact from someone the match has just read needs no users.info. A failed, slow or garbled lookup is logged and answered with "unknown", never fatal to a turn:
the person is answered with defaults and their profile is read again at their next event.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import error_of
from adapters.slack.quotas import quota
from adapters.slack.translate import Profile, person_address
from bot.events import Actor
from bot.outbox.pace import Pacer

log = logging.getLogger(__name__)

LOOKUP_AT_MOST = 20  # more people than this are found through users.list pages instead
USERS_PAGE = 1000
PROFILE_TTL = 15 * 60.0
PROFILE_TIMEOUT = 5.0  # seconds: a first contact is answered with defaults rather than wait longer
MEMBERS_PAGE = 200
K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """A mapping of at most `limit` entries; reading or writing one makes it the most recent, and the
    least recent goes first when it is full."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)


class Directory:
    """Per-process caches keyed by workspace; the client (with that workspace's token) comes per call."""

    def __init__(
        self,
        *,
        ttl: float = PROFILE_TTL,
        monotonic: Callable[[], float] = time.monotonic,
        max_entries: int = 10_000,
        timeout: float = PROFILE_TIMEOUT,
    ) -> None:
        self.ttl = ttl
        self.timeout = timeout
        self.monotonic = monotonic
        self.max_entries = max_entries
        self._profiles: Recent[tuple[str, str], tuple[float, Profile]] = Recent(max_entries)
        self._dms: Recent[tuple[str, str], str] = Recent(max_entries)

    async def profile(self, *, client: AsyncWebClient, team: str, user: str) -> Profile | None:
        key = (team, user)
        cached = self._profiles.get(key)
        now = self.monotonic()
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        try:
            async with asyncio.timeout(self.timeout):
                response = await client.users_info(user=user)
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user, error_of(exc))
            return cached[1] if cached else None
        except Exception as exc:  # a hang, or a body that is not JSON (a proxy's text/plain 503)
            log.warning("users.info failed for %s: %s", user, type(exc).__name__)
            return cached[1] if cached else None
        profile = _profile(response.get("user") or {})
        self._profiles[key] = (now, profile)
        return profile

    def remember_profile(self, *, team: str, user: dict[str, Any]) -> None:
        """A profile read in bulk (a users.list page, a lookup by email): that person's first contact is
        answered from it without a users.info call while it is fresh."""
        user_id = str(user.get("id") or "")
        if not user_id:
            return
        self._profiles[(team, user_id)] = (self.monotonic(), _profile(user))

    def known_dm(self, *, team: str, user: str) -> str | None:
        return self._dms.get((team, user))

    def remember_dm(self, *, team: str, user: str, channel: str) -> None:
        self._dms[(team, user)] = channel

    async def dm_channel(self, *, client: AsyncWebClient, team: str, user: str) -> str:
        """The bot's DM channel with a person, opened if needed (raises SlackApiError)."""
        key = (team, user)
        channel = self._dms.get(key)
        if channel is None:
            response = await client.conversations_open(users=user)
            channel = str((response.get("channel") or {})["id"])
            self.remember_dm(team=team, user=user, channel=channel)
        return channel


class ChannelMembers:
    """The `Directory` port for Slack: conversations.members, then a cached users.info per member; and
    the `PeopleFinder` port: people by email, through users.lookupByEmail (Tier 3) for a few and
    users.list pages (Tier 2, up to 1,000 people a page) for more, each call paced under its quota."""

    def __init__(
        self,
        *,
        directory: Directory,
        client_for: Callable[[str], Awaitable[AsyncWebClient]],
        pacer: Pacer | None = None,
        scale: float = 1.0,
        home_team: Callable[[], Awaitable[str | None]] | None = None,
    ) -> None:
        self.directory = directory
        self.client_for = client_for
        self.pacer = pacer or Pacer()
        self.scale = scale
        self.home_team = home_team

    async def by_email(self, emails: Sequence[str], *, workspaces: Sequence[str]) -> dict[str, Actor]:
        """The people Slack knows by these emails, in every workspace given and the token's own."""
        wanted = {e.strip().lower() for e in emails if e}
        teams = list(dict.fromkeys([*workspaces, *([await self.home_team()] if self.home_team else [])]))
        found: dict[str, Actor] = {}
        for team in [t for t in teams if t]:
            if not wanted - set(found):
                break
            try:
                client = await self.client_for(team)
                if len(wanted - set(found)) <= LOOKUP_AT_MOST:
                    found.update(await self._look_up(client, team, sorted(wanted - set(found))))
                else:
                    found.update(await self._list(client, team, wanted - set(found)))
            except Exception as exc:  # one workspace's failure leaves the others (and the next run)
                log.warning("Slack directory of %s could not be read: %s", team, exc)
        return found

    async def _look_up(self, client: AsyncWebClient, team: str, emails: list[str]) -> dict[str, Actor]:
        found: dict[str, Actor] = {}
        for email in emails:
            await self.pacer.acquire(quota(team, "users.lookupByEmail", scale=self.scale))
            try:
                response = await client.users_lookupByEmail(email=email)
            except SlackApiError as exc:
                if error_of(exc) == "users_not_found":
                    continue
                raise
            self.directory.remember_profile(team=team, user=response.get("user") or {})
            actor = _actor(team, response.get("user") or {})
            if actor is not None:
                found[email] = actor
        return found

    async def _list(self, client: AsyncWebClient, team: str, wanted: set[str]) -> dict[str, Actor]:
        found: dict[str, Actor] = {}
        async for users in self._users_pages(client, team):
            for user in users:
                actor = _actor(team, user)
                if actor is not None and actor.email in wanted:
                    found[actor.email] = actor
            if not wanted - set(found):
                break
        return found

    async def _users_pages(self, client: AsyncWebClient, team: str) -> AsyncIterator[list[dict[str, Any]]]:
        """users.list, a page at a time, each call paced under Tier 2; the profiles fill the cache."""
        cursor: str | None = None
        while True:
            await self.pacer.acquire(quota(team, "users.list", scale=self.scale))
            kwargs: dict[str, Any] = {"limit": USERS_PAGE}
            if cursor:
                kwargs["cursor"] = cursor
            response = await client.users_list(**kwargs)
            users = list(response.get("members") or [])
            for user in users:
                self.directory.remember_profile(team=team, user=user)
            yield users
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return

    async def everyone(self, workspace: str, places: Sequence[Mapping[str, Any]] = ()) -> list[Actor]:
        """The `Roster` port: the workspace's people from users.list pages (Tier 2, up to 1,000 a page),
        bots, Slackbot and deactivated accounts left out; raises SlackApiError."""
        team = workspace or (await self.home_team() if self.home_team else None) or ""
        client = await self.client_for(team)
        actors: dict[str, Actor] = {}
        async for users in self._users_pages(client, team):
            for user in users:
                profile = _profile(user)
                if profile.is_person and user.get("id"):
                    actors[str(user["id"])] = _person(team, str(user["id"]), profile)
        return list(actors.values())

    async def members(self, address: Mapping[str, Any]) -> list[Actor]:
        """People in the channel (bots and deactivated accounts left out); raises SlackApiError."""
        team, channel = str(address.get("team") or ""), str(address.get("channel") or "")
        if not channel:
            return []
        client = await self.client_for(team)
        actors = []
        for user in await self._member_ids(client, channel):
            profile = await self.directory.profile(client=client, team=team, user=user)
            if profile is None or not profile.is_person:
                continue
            actors.append(_person(team, user, profile))
        return actors

    async def _member_ids(self, client: AsyncWebClient, channel: str) -> list[str]:
        ids: list[str] = []
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"channel": channel, "limit": MEMBERS_PAGE}
            if cursor:
                kwargs["cursor"] = cursor
            response = await client.conversations_members(**kwargs)
            ids.extend(str(u) for u in response.get("members") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return list(dict.fromkeys(ids))


def _actor(team: str, user: dict[str, Any]) -> Actor | None:
    """A person of users.list or users.lookupByEmail with an email, for the match by email."""
    profile = _profile(user)
    if not profile.is_person or not profile.email or not user.get("id"):
        return None
    return _person(team, str(user["id"]), profile)


def _person(team: str, user: str, profile: Profile) -> Actor:
    """A person, reachable by their user id (no DM opened)."""
    return Actor(
        platform="slack",
        workspace=team,
        user_id=user,
        display_name=profile.display_name,
        email=profile.email.lower() if profile.email else None,
        timezone=profile.timezone,
        address=person_address(team, user),
    )


def _profile(user: dict[str, Any]) -> Profile:
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
    )
    return Profile(
        display_name=name or None,
        email=profile.get("email") or None,
        timezone=user.get("tz") or None,
        is_person=not (user.get("is_bot") or user.get("deleted") or user.get("id") == "USLACKBOT"),
    )
