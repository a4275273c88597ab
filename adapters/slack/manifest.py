"""The Slack app manifest: exactly the scopes, events, command and shortcuts the adapter uses.

`coach manifest slack --url https://bot.example.com` writes it; paste it into "Create an app from a
manifest". Every bot event here has a Bolt listener in adapters.slack.app (a test checks both ways).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.slack.app import COMMAND, PATH

DISPLAY_NAME = "Adoption Coach"
BOT_EVENTS = ("app_home_opened", "app_mention", "message.im", "message.channels", "message.groups")
SCOPES = (
    "app_mentions:read",  # app_mention
    "channels:history",  # message.channels: replies in the threads the coach starts in channels
    "channels:read",  # conversations.members: `enrol channel` on a public channel
    "chat:write",  # chat.postMessage, chat.postEphemeral, chat.update
    "commands",  # /coach and the shortcuts
    "groups:history",  # message.groups: replies in the threads it starts in private escalation channels
    "groups:read",  # conversations.members: `enrol channel` on a private channel the coach is in
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


def build_manifest(*, url: str) -> dict[str, Any]:
    request_url = url.rstrip("/") + PATH
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": DISPLAY_NAME,
            "description": "Runs the adoption programme for your AI tools",
            "long_description": (
                "Adoption Coach nudges people through the adoption programme of an AI system, collects "
                "friction reports, routes confusing AI outputs to the named owner who answers in-channel, "
                "delivers change announcements and measures outcomes. Type /coach help to start."
            ),
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": DISPLAY_NAME, "always_online": True},
            "slash_commands": [
                {
                    "command": COMMAND,
                    "url": request_url,
                    "description": "Talk to the adoption coach",
                    "usage_hint": "help | settings | admins",
                    "should_escape": False,
                }
            ],
            "shortcuts": [
                {"name": name, "type": kind, "callback_id": callback_id, "description": description}
                for name, kind, callback_id, description in SHORTCUTS
            ],
        },
        "oauth_config": {"scopes": {"bot": sorted(SCOPES)}},
        "settings": {
            "event_subscriptions": {"request_url": request_url, "bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True, "request_url": request_url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def write_manifest(*, url: str, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(build_manifest(url=url), indent=2) + "\n", encoding="utf-8")
    return out
