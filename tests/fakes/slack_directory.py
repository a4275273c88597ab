"""The Slack fake's people and conversations: users.info (a made-up profile for anyone not added),
users.list in pages of at most 1,000 (`cursor`; Slackbot and the app's bot user among them, as Slack
lists them; bots and deactivated users added with `is_bot`/`deleted`), users.lookupByEmail (`users_not_found` for an address
nobody has), conversations.info and conversations.members (paged) of the channels added, and
conversations.open (the DM's id is D + the user id).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.slack_contract import BOT_USER, TEAM, error_response

USERS_PAGE_MAX = 1000
DIRECTORY_METHODS = (
    "users.info",
    "users.list",
    "users.lookupByEmail",
    "conversations.info",
    "conversations.members",
    "conversations.open",
)


class Directory:
    """The workspace's people (user id -> profile) and channels (channel id -> member user ids)."""

    users: dict[str, dict[str, Any]]
    channels: dict[str, list[str]]

    def add_user(
        self,
        user_id: str,
        *,
        email: str,
        name: str,
        tz: str = "Europe/Berlin",
        is_bot: bool = False,
        deleted: bool = False,
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM,
            "name": name.lower(),
            "real_name": name,
            "tz": tz,
            "is_bot": is_bot,
            "deleted": deleted,
            "profile": {"email": email, "display_name": name, "real_name": name},
        }

    def add_channel(self, channel: str, members: list[str]) -> None:
        self.channels[channel] = list(members)

    def _look_up(self, method: str, args: dict[str, Any]) -> dict[str, Any] | web.Response:
        """The answer to one of DIRECTORY_METHODS."""
        if method == "users.info":
            user = str(args["user"])
            if user == BOT_USER:
                return {"user": {**default_user(user), "is_bot": True}}
            return {"user": self.users.get(user) or default_user(user)}
        if method == "conversations.members":
            return self._members(args)
        if method == "users.list":
            return self._users_page(args)
        if method == "users.lookupByEmail":
            email = str(args["email"]).lower()
            found = [u for u in self.users.values() if str(u["profile"].get("email", "")).lower() == email]
            return {"user": found[0]} if found else error_response("users_not_found")
        if method == "conversations.info":
            channel = str(args["channel"])
            if channel not in self.channels:
                return error_response("channel_not_found")
            return {"channel": {"id": channel, "name": channel.lower(), "is_private": channel.startswith("G"),
                                "is_member": BOT_USER in self.channels[channel]}}  # fmt: skip
        if method == "conversations.open":
            users = str(args.get("users") or "")
            if not users:
                return error_response("users_not_found")
            return {"channel": {"id": "D" + users.split(",")[0]}}
        raise AssertionError(method)

    def _users_page(self, args: dict[str, Any]) -> dict[str, Any] | web.Response:
        """One page of the workspace's people (at most 1,000); `cursor` is opaque (here: an offset)."""
        limit = int(args.get("limit") or 0) or USERS_PAGE_MAX
        if limit > USERS_PAGE_MAX:
            limit = USERS_PAGE_MAX  # Slack answers fewer than asked; it does not fail
        # Slack lists its own Slackbot and the app's bot user among the workspace's people, as bots.
        bots = {u: {**default_user(u), "is_bot": u == BOT_USER} for u in (BOT_USER, "USLACKBOT")}
        people = sorted({**bots, **self.users}.values(), key=lambda u: str(u["id"]))
        start = int(str(args.get("cursor") or "off:0").removeprefix("off:"))
        page = people[start : start + limit]
        after = start + limit
        return {
            "members": page,
            "response_metadata": {"next_cursor": f"off:{after}" if after < len(people) else ""},
        }

    def _members(self, args: dict[str, Any]) -> dict[str, Any] | web.Response:
        """One page of a channel's members; `cursor` is opaque to the caller (here: an offset)."""
        channel = str(args["channel"])
        if channel not in self.channels:
            return error_response("channel_not_found")
        members = self.channels[channel]
        start = int(str(args.get("cursor") or "off:0").removeprefix("off:"))
        limit = int(args.get("limit") or 100)
        page = members[start : start + limit]
        after = start + limit
        next_cursor = f"off:{after}" if after < len(members) else ""
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}


def default_user(user: str) -> dict[str, Any]:
    return {
        "id": user,
        "team_id": TEAM,
        "name": user.lower(),
        "real_name": f"User {user}",
        "tz": "Europe/London",
        "profile": {"email": f"{user.lower()}@example.com", "display_name": f"User {user}"},
    }
