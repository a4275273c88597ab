"""The Teams app package validates against the official v1.19 schema, with icons of the right sizes."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from adapters.teams.manifest import build_manifest, write_package
from tests.conftest import SCHEMAS

BOT_ID = "00000000-0000-0000-0000-00000000b075"
SCHEMA = SCHEMAS / "teams" / "v1.19" / "MicrosoftTeams.schema.json"


def png_info(data: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, colour type, raw pixel rows) of a PNG we wrote."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, _depth, colour = struct.unpack(">IIBB", data[16:26])
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4 : idat])[0]
    return width, height, colour, zlib.decompress(data[idat + 4 : idat + 4 + length])


def test_package_is_valid_with_icons_and_zip(tmp_path: Path) -> None:
    package = write_package(bot_id=BOT_ID, url="https://coach.example.com/", out=tmp_path / "teams")
    manifest = json.loads((tmp_path / "teams" / "manifest.json").read_text())
    Draft7Validator(json.loads(SCHEMA.read_text())).validate(manifest)
    assert manifest["manifestVersion"] == "1.19"
    (bot,) = manifest["bots"]
    assert bot["botId"] == BOT_ID and set(bot["scopes"]) == {"personal", "team", "groupChat"}
    (command,) = manifest["composeExtensions"][0]["commands"]
    assert (command["id"], command["type"], command["context"]) == ("flagOutput", "action", ["message"])

    color = png_info((tmp_path / "teams" / "color.png").read_bytes())
    outline_bytes = (tmp_path / "teams" / "outline.png").read_bytes()
    outline = png_info(outline_bytes)
    assert color[:3] == (192, 192, 6) and outline[:3] == (32, 32, 6)
    rows = outline[3]
    pixels = {
        rows[y * (32 * 4 + 1) + 1 + x * 4 : y * (32 * 4 + 1) + 5 + x * 4]
        for y in range(32)
        for x in range(32)
    }
    assert pixels == {b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"}  # white on transparent, nothing else

    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert archive.read("outline.png") == outline_bytes


def test_wrong_manifest_version_is_rejected_by_the_schema() -> None:
    manifest = build_manifest(bot_id=BOT_ID, url="https://coach.example.com")
    assert not Draft7Validator(json.loads(SCHEMA.read_text())).is_valid(
        {**manifest, "manifestVersion": "1.5"}
    )


@pytest.mark.parametrize(
    ("bot_id", "url"), [("not-a-guid", "https://a.example"), (BOT_ID, "http://a.example")]
)
def test_bad_arguments_are_refused(bot_id: str, url: str) -> None:
    with pytest.raises(ValueError):
        build_manifest(bot_id=bot_id, url=url)
