"""The Teams app package: manifest.json (v1.19), color.png 192×192, outline.png 32×32, and the zip.

Icons are drawn here with the standard library (zlib + struct), so the package needs no image tools.
"""

from __future__ import annotations

import json
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from adapters.teams.translate import FLAG_COMMAND_ID

MANIFEST_VERSION = "1.19"
APP_VERSION = "1.0.0"
ACCENT = (0x46, 0x4E, 0xB8)  # Teams purple
PACKAGE_NAME = "adoption-coach-teams.zip"
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

Pixel = tuple[int, int, int, int]


def build_manifest(*, bot_id: str, url: str) -> dict[str, Any]:
    try:
        uuid.UUID(bot_id)
    except ValueError:
        raise ValueError(f"--bot-id must be the bot's Microsoft app id (a GUID), not {bot_id!r}") from None
    base = url.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"--url must be the public https base URL of the coach, not {url!r}")
    commands = [{"title": name, "description": summary} for name, summary in COMMANDS]
    return {
        "$schema": f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json",
        "manifestVersion": MANIFEST_VERSION,
        "version": APP_VERSION,
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"adoption-coach:{bot_id}")),
        "developer": {
            "name": "Adoption Coach",
            "websiteUrl": f"{base}/",
            "privacyUrl": f"{base}/privacy",
            "termsOfUseUrl": f"{base}/terms",
        },
        "name": {"short": "Adoption Coach", "full": "Adoption Coach for AI roll-outs"},
        "description": {
            "short": "Your guide through your team's AI roll-out.",
            "full": (
                "Adoption Coach runs your organisation's AI adoption programme: it nudges you through the "
                "steps, takes your feedback and confusing AI outputs to the people who own each AI system, "
                "and tells you when those systems change."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
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
        "validDomains": [parts.hostname],
    }


def write_package(*, bot_id: str, url: str, out: Path) -> Path:
    """Write manifest.json, the two icons and the zip to upload into `out`; returns the zip's path."""
    manifest = build_manifest(bot_id=bot_id, url=url)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "manifest.json": (json.dumps(manifest, indent=2) + "\n").encode(),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
    package = out / PACKAGE_NAME
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return package


def color_icon(size: int = 192) -> bytes:
    """A white speech bubble with a check mark on the accent colour."""
    background: Pixel = (*ACCENT, 255)
    return png(size, size, lambda x, y: (255, 255, 255, 255) if _glyph(x / size, y / size) else background)


def outline_icon(size: int = 32) -> bytes:
    """The same glyph in white on transparent, as Teams requires."""
    return png(size, size, lambda x, y: (255, 255, 255, 255) if _glyph(x / size, y / size) else (0, 0, 0, 0))


def _glyph(u: float, v: float) -> bool:
    ring = 0.28 <= ((u - 0.5) ** 2 + (v - 0.46) ** 2) ** 0.5 <= 0.38
    tail = 0.62 <= v <= 0.86 and 0.24 <= u <= 0.36 and u - 0.24 <= (0.86 - v) * 0.6
    check = abs(v - (0.50 + (u - 0.36))) < 0.05 and 0.36 <= u <= 0.46
    check = check or (abs(v - (0.60 - (u - 0.46) * 0.9)) < 0.05 and 0.46 <= u <= 0.66)
    return ring or tail or check


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )  # filter type 0 per scanline, RGBA 8-bit

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
