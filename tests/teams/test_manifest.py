"""The committed Teams package (manifest/teams/): valid against the official v1.19 schema, equal to what
the code builds, with real icons of the right sizes; `coach manifest teams` fills in the real host and
bot id; the app version moves whenever the package does."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from typer.testing import CliRunner

from adapters.cli import app as cli
from adapters.listing import EXAMPLE_URL, listing
from adapters.teams.manifest import APP_VERSION, EXAMPLE_BOT_ID, app_id, build_manifest
from adapters.teams.translate import FLAG_COMMAND_ID
from bot.flows import build_router
from tests.conftest import PROJECT, SCHEMAS
from tests.teams.png import header, pixels

BOT_ID = "00000000-0000-0000-0000-00000000b075"
SCHEMA = json.loads((SCHEMAS / "teams" / "v1.19" / "MicrosoftTeams.schema.json").read_text())
COMMITTED = PROJECT / "manifest" / "teams"
REAL = "https://coach.acme-corp.test"
# The package each released APP_VERSION stands for (sha256 of the example manifest less its version, and
# of the icons). A change to the package without a new version fails below: Teams would not re-read it.
RELEASED = {"1.1.0": "efbb8f4498d647b5c88c8bff31a24d846ae6f210ed809aaa92689513355291da"}


def committed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((COMMITTED / "manifest.json").read_text())
    return data


def fingerprint() -> str:
    manifest = {k: v for k, v in committed().items() if k != "version"}
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode())
    for name in ("color.png", "outline.png"):
        digest.update((COMMITTED / name).read_bytes())
    return digest.hexdigest()


def with_real_ids(manifest: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(manifest)
    text = text.replace(EXAMPLE_URL, REAL).replace("coach.example.com", "coach.acme-corp.test")
    text = text.replace(app_id(EXAMPLE_BOT_ID), app_id(BOT_ID)).replace(EXAMPLE_BOT_ID, BOT_ID)
    replaced: dict[str, Any] = json.loads(text)
    return replaced


def test_the_committed_manifest_is_valid_and_is_what_the_code_builds() -> None:
    manifest = committed()
    Draft7Validator(SCHEMA).validate(manifest)
    assert manifest == build_manifest(bot_id=EXAMPLE_BOT_ID, listing=listing(url=EXAMPLE_URL)), (
        "manifest/teams/manifest.json differs from adapters/teams/manifest.py: run `coach manifest examples`"
    )
    assert manifest["manifestVersion"] == "1.19" and manifest["version"] == APP_VERSION
    assert manifest["developer"]["privacyUrl"] == f"{EXAMPLE_URL}/privacy"
    assert manifest["developer"]["termsOfUseUrl"] == f"{EXAMPLE_URL}/terms"


def test_the_version_moves_with_the_package() -> None:
    assert RELEASED.get(APP_VERSION) == fingerprint(), (
        f"the Teams package changed: raise APP_VERSION (now {APP_VERSION}) in adapters/teams/manifest.py, "
        f"run `coach manifest examples`, and record {fingerprint()} for it in RELEASED here"
    )
    assert len(set(RELEASED.values())) == len(RELEASED)  # no version stands for two packages


def test_the_icons_are_real_pngs_of_the_sizes_teams_requires() -> None:
    color = (COMMITTED / "color.png").read_bytes()
    outline = (COMMITTED / "outline.png").read_bytes()
    assert header(color)[:2] == (192, 192)
    assert header(outline)[:2] == (32, 32) and header(outline)[3] == 6  # RGBA
    dots = pixels(outline)
    assert {p[:3] for p in dots if p[3]} == {(255, 255, 255)}  # white where anything is drawn
    assert sum(1 for p in dots if p[3] == 0) > len(dots) // 2  # on a transparent background
    assert len({p[:3] for p in pixels(color)}) > 2  # drawn, not a flat square


def test_resource_specific_consent_lets_the_bot_read_replies_in_its_threads() -> None:
    manifest = committed()
    assert manifest["webApplicationInfo"]["id"] == manifest["bots"][0]["botId"] == EXAMPLE_BOT_ID
    permissions = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in permissions


def test_commands_and_the_message_action_agree_with_the_code() -> None:
    manifest = committed()
    (bot,) = manifest["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    router = build_router()
    for command_list in bot["commandLists"]:
        assert {c["title"] for c in command_list["commands"]} <= set(router.commands)
    (command,) = manifest["composeExtensions"][0]["commands"]
    assert (command["id"], command["type"], command["context"]) == (FLAG_COMMAND_ID, "action", ["message"])


def test_coach_manifest_teams_is_the_committed_package_for_the_real_bot(tmp_path: Path) -> None:
    out = tmp_path / "build" / "teams"
    result = CliRunner().invoke(
        cli, ["manifest", "teams", "--bot-id", BOT_ID, "--url", REAL, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = json.loads((out / "manifest.json").read_text())
    Draft7Validator(SCHEMA).validate(written)
    assert written == with_real_ids(committed())
    with zipfile.ZipFile(out / "adoption-coach-teams.zip") as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        for name in ("color.png", "outline.png"):  # the committed icons, not drawn again
            assert archive.read(name) == (COMMITTED / name).read_bytes()


def test_it_never_writes_over_the_committed_package() -> None:
    before = (COMMITTED / "manifest.json").read_bytes()
    args = ["manifest", "teams", "--bot-id", BOT_ID, "--url", REAL, "--out", str(COMMITTED)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "committed" in result.output
    assert (COMMITTED / "manifest.json").read_bytes() == before


def test_the_publisher_and_pages_can_point_elsewhere(tmp_path: Path) -> None:
    out = tmp_path / "teams"
    result = CliRunner().invoke(
        cli,
        ["manifest", "teams", "--bot-id", BOT_ID, "--url", REAL, "--out", str(out), "--developer-name",
         "Acme IT", "--website", "https://it.acme.test", "--privacy-url", "https://acme.test/privacy",
         "--terms-url", "https://acme.test/terms", "--app-version", "1.1.1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = json.loads((out / "manifest.json").read_text())
    Draft7Validator(SCHEMA).validate(written)
    assert written["version"] == "1.1.1"
    assert written["developer"] == {
        "name": "Acme IT",
        "websiteUrl": "https://it.acme.test",
        "privacyUrl": "https://acme.test/privacy",
        "termsOfUseUrl": "https://acme.test/terms",
    }


def test_wrong_manifest_version_is_rejected_by_the_schema() -> None:
    assert not Draft7Validator(SCHEMA).is_valid({**committed(), "manifestVersion": "1.5"})


@pytest.mark.parametrize(("bot_id", "url"), [("not-a-guid", REAL), (BOT_ID, "http://a.example")])
def test_bad_arguments_are_refused(bot_id: str, url: str) -> None:
    result = CliRunner().invoke(
        cli, ["manifest", "teams", "--bot-id", bot_id, "--url", url, "--out", "/tmp/x"]
    )
    assert result.exit_code == 2
