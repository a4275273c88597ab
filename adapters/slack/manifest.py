"""The Slack app manifest: exactly the scopes, events, command and shortcuts the adapter uses.

`manifest/slack.json` in the repository is this manifest for the example host (a test keeps them equal);
`coach manifest slack` writes it for the real host to manifest/build/. Every bot event here has a Bolt
listener in adapters.slack.app (a test checks both ways).
"""

from __future__ import annotations

from typing import Any

from adapters.listing import Listing
from adapters.slack.app import COMMAND, PATH
from adapters.slack.oauth import REDIRECT_PATH

DISPLAY_NAME = "Adoption Coach"
# app_uninstalled and tokens_revoked need no scope: Slack sends them to every app that subscribes.
BOT_EVENTS = (
    "app_home_opened",
    "app_mention",
    "app_uninstalled",
    "message.im",
    "message.channels",
    "message.groups",
    "tokens_revoked",
    "user_change",  # a deactivated account (`deleted: true`) is someone who left: their roles go to backups
)
SCOPES = (
    "app_mentions:read",  # app_mention
    "channels:history",  # message.channels: replies in the threads the coach starts in channels
    "channels:read",  # conversations.members, conversations.info: `enrol channel`, `coach doctor`
    "chat:write",  # chat.postMessage, chat.postEphemeral, chat.update
    "commands",  # /coach and the shortcuts
    "files:write",  # files_upload_v2: the weekly outcomes digest's chart
    "groups:history",  # message.groups: replies in the threads it starts in private escalation channels
    "groups:read",  # conversations.members, conversations.info on a private channel the coach is in
    "im:history",  # message.im
    "im:write",  # conversations.open for proactive DMs
    "users:read",  # users.info: name and time zone
    "users:read.email",  # users.info: email, to match a person across platforms
)
SHORTCUTS = (
    ("Report friction", "global", "friction.report", "Tell the coach what gets in your way with an AI tool"),
    ("Flag an AI output", "global", "flag.global", "Send a confusing AI output to the people who own it"),
    ("Flag AI output", "message", "flag.message", "Send this AI output to the people who own the system"),
)
LONG_DESCRIPTION = (
    "Adoption Coach nudges people through the adoption programme of an AI system, collects friction "
    "reports, routes confusing AI outputs to the named owner who answers in-channel, delivers change "
    "announcements and measures outcomes. Type /coach help to start."
)


def build_manifest(
    *, listing: Listing | None, socket_mode: bool = False, token_rotation: bool = False
) -> dict[str, Any]:
    """The manifest for HTTP (request URLs on the listing's host) or Socket Mode (no request URLs; with
    no public address at all, the description has no privacy and terms links).

    Token rotation cannot be turned off again once an app has it, so it is only on when asked for.
    """
    if listing is None and not socket_mode:
        raise ValueError("an HTTP app needs the coach's public address")
    command: dict[str, Any] = {
        "command": COMMAND,
        "description": "Talk to the adoption coach",
        "usage_hint": "help | settings | admins",
        "should_escape": False,
    }
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    oauth: dict[str, Any] = {"scopes": {"bot": sorted(SCOPES)}}
    if listing is not None and not socket_mode:
        request_url = listing.base_url + PATH
        command = {
            "command": COMMAND,
            "url": request_url,
            **{k: v for k, v in command.items() if k != "command"},
        }
        events = {"request_url": request_url, **events}
        interactivity["request_url"] = request_url
        oauth = {"redirect_urls": [listing.base_url + REDIRECT_PATH], **oauth}
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": DISPLAY_NAME,
            "description": "Runs the adoption programme for your AI tools",
            "long_description": LONG_DESCRIPTION + (_links(listing) if listing is not None else ""),
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": DISPLAY_NAME, "always_online": True},
            "slash_commands": [command],
            "shortcuts": [
                {"name": name, "type": kind, "callback_id": callback_id, "description": description}
                for name, kind, callback_id, description in SHORTCUTS
            ],
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": token_rotation,
        },
    }


def _links(listing: Listing) -> str:
    """The publisher and the privacy and terms pages (a Slack manifest has no fields for them)."""
    return (
        f" Published by {listing.developer_name} ({listing.website}). "
        f"Privacy: {listing.privacy_url} Terms: {listing.terms_url}"
    )
