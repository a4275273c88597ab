"""The Teams app package: manifest.json (v1.19), the two icons, and the zip to upload.

`manifest/teams/` in the repository holds this manifest for the example host and bot id (a test keeps
them equal) and the icons, drawn once and committed. `coach manifest teams` fills in the real host and
bot id and writes the package to manifest/build/teams/, copying the committed icons.

Resource-specific consent (`ChannelMessage.Read.Group`) lets the bot read replies in the threads of its
own escalation cards without an @mention; a team owner grants it when adding the app to a team.
"""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Any

from adapters.listing import Listing
from adapters.teams.translate import FLAG_COMMAND_ID

MANIFEST_VERSION = "1.19"
# Teams re-reads an uploaded package only when this changes: bump it with every change to the package
# (tests/teams/test_manifest.py fails until you do).
APP_VERSION = "1.1.0"
EXAMPLE_BOT_ID = "00000000-0000-0000-0000-000000000000"  # in the manifest committed under manifest/teams
ACCENT = "#464EB8"  # Teams purple, the colour icon's background
PACKAGE_NAME = "adoption-coach-teams.zip"
ICONS = ("color.png", "outline.png")
# Read every message in the channels of a team the app is added to; the bot ignores all but replies in
# its own cards' threads and messages that @mention it (adapters/teams/translate.py).
RSC_PERMISSIONS = ({"name": "ChannelMessage.Read.Group", "type": "Application"},)
# Shown in Teams' command menu (at most 10 per scope); the rest are listed by `help`.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("help", "Show what I can do for you"),
    ("settings", "Your time zone and working hours"),
    ("programme", "Where you are in your programme"),
    ("flag", "Flag an AI output that doesn't make sense"),
    ("friction", "Tell the owners something's not working"),
    ("owners", "Who owns each AI system"),
    ("snooze", "Pause my messages for a while"),
)


def app_id(bot_id: str) -> str:
    """The Teams app's own id: stable per bot, so a new package upgrades the installed app."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"adoption-coach:{bot_id}"))


def build_manifest(*, bot_id: str, listing: Listing, version: str = APP_VERSION) -> dict[str, Any]:
    try:
        uuid.UUID(bot_id)
    except ValueError:
        raise ValueError(f"--bot-id must be the bot's Microsoft app id (a GUID), not {bot_id!r}") from None
    if len(listing.developer_name) > 32:
        raise ValueError("--developer-name must be at most 32 characters (Teams' limit)")
    commands = [{"title": name, "description": summary} for name, summary in COMMANDS]
    return {
        "$schema": f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json",
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id(bot_id),
        "developer": {
            "name": listing.developer_name,
            "websiteUrl": listing.website,
            "privacyUrl": listing.privacy_url,
            "termsOfUseUrl": listing.terms_url,
        },
        "name": {"short": "Adoption Coach", "full": "Adoption Coach for AI roll-outs"},
        "description": {
            "short": "Your guide through your team's AI roll-out.",
            "full": (
                "Adoption Coach runs your organisation's AI adoption programme: it nudges you through the "
                "steps, takes your feedback and confusing AI outputs to the people who own each AI system, "
                "and tells you when those systems change. In a team's channels it reads only replies in the "
                "threads of its own cards and messages that mention it."
            ),
        },
        "icons": {"color": ICONS[0], "outline": ICONS[1]},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["personal"], "commands": commands},
                    {"scopes": ["team", "groupChat"], "commands": commands},
                ],
            }
        ],
        "composeExtensions": [
            {
                "botId": bot_id,
                "commands": [
                    {
                        "id": FLAG_COMMAND_ID,
                        "type": "action",
                        "title": "Flag AI output",
                        "description": "Send this AI output to the person who owns the AI system",
                        "context": ["message"],
                        "fetchTask": True,
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [listing.hostname],
        # RSC names the bot's Microsoft Entra app; `resource` does nothing for RSC but Teams wants a value.
        "webApplicationInfo": {"id": bot_id, "resource": "https://RscPermission"},
        "authorization": {"permissions": {"resourceSpecific": [dict(p) for p in RSC_PERMISSIONS]}},
    }


def write_package(
    *, bot_id: str, listing: Listing, icons: Path, out: Path, version: str = APP_VERSION
) -> Path:
    """Write manifest.json, the committed icons (from `icons`) and the zip to upload into `out`."""
    manifest = build_manifest(bot_id=bot_id, listing=listing, version=version)
    missing = [name for name in ICONS if not (icons / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{icons} lacks {', '.join(missing)} (the icons committed in manifest/teams)")
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for name in ICONS:
        shutil.copyfile(icons / name, out / name)
    package = out / PACKAGE_NAME
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ("manifest.json", *ICONS):
            archive.write(out / name, arcname=name)
    return package
