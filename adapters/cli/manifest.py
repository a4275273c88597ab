"""`coach manifest slack` and `coach manifest teams`: the committed manifests filled in for this coach.

The repository commits manifest/slack.json and manifest/teams/ (manifest.json and the two icons) for the
example host; these commands write the same for the real host and ids to manifest/build/ (git-ignored),
never over the committed files. `coach manifest examples` (maintainers) rewrites the committed ones.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from adapters.listing import EXAMPLE_URL, Listing, listing

app = typer.Typer(no_args_is_help=True)

SOURCE = Path(__file__).resolve().parents[2] / "manifest"  # the clone's committed manifests
URL_HELP = "Public https address of this coach; default: COACH_PUBLIC_URL"
DEVELOPER_HELP = "Publisher shown in Teams and in the Slack app's description (≤ 32 characters)"


def committed_dir() -> Path:
    """The committed manifests: beside the code in a clone, else ./manifest (a copy of the clone's)."""
    for folder in (SOURCE, Path.cwd() / "manifest"):
        if (folder / "teams" / "manifest.json").is_file():
            return folder
    typer.echo(
        "coach: no manifest/ folder with the committed manifests here; run this in the clone", err=True
    )
    raise typer.Exit(2)


def _listing(
    url: str | None,
    *,
    developer_name: str | None,
    website: str | None,
    privacy: str | None,
    terms: str | None,
    optional: bool = False,
) -> Listing | None:
    if url is None:
        from adapters.cli.common import settings_or_exit

        url = settings_or_exit().public_url
    if url is None and optional:
        return None
    if url is None:
        typer.echo("coach: give --url https://YOUR-HOST or set COACH_PUBLIC_URL", err=True)
        raise typer.Exit(2)
    try:
        return listing(
            url=url, developer_name=developer_name, website=website, privacy_url=privacy, terms_url=terms
        )
    except ValueError as exc:
        typer.echo(f"coach: {exc}", err=True)
        raise typer.Exit(2) from None


def _refuse_committed(out: Path) -> None:
    committed = committed_dir().resolve()
    target = out.resolve()
    if target in (committed / "slack.json", committed / "teams") or committed / "teams" in target.parents:
        typer.echo(f"coach: {out} is a committed example; write to manifest/build/ instead", err=True)
        raise typer.Exit(2)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


@app.command("slack")
def slack(
    url: str | None = typer.Option(None, help=URL_HELP),
    socket_mode: bool = typer.Option(
        False, "--socket-mode", help="For Socket Mode: no request URLs, Slack needs no public address"
    ),
    token_rotation: bool = typer.Option(
        False,
        "--token-rotation",
        help="Rotate bot tokens (needs SLACK_CLIENT_ID; cannot be turned off again)",
    ),
    developer_name: str | None = typer.Option(None, "--developer-name", help=DEVELOPER_HELP),
    website: str | None = typer.Option(None, help="The publisher's website; default: the coach's address"),
    privacy_url: str | None = typer.Option(None, "--privacy-url", help="Default: the coach's /privacy"),
    terms_url: str | None = typer.Option(None, "--terms-url", help="Default: the coach's /terms"),
    out: Path = typer.Option(Path("manifest/build/slack.json"), help="Where to write the manifest"),
) -> None:
    """Write the Slack app manifest: exactly the scopes, events, commands and shortcuts the coach uses."""
    from adapters.slack.manifest import build_manifest

    _refuse_committed(out)
    chosen = _listing(
        url,
        developer_name=developer_name,
        website=website,
        privacy=privacy_url,
        terms=terms_url,
        optional=socket_mode,  # Socket Mode needs no public address (then no privacy links either)
    )
    _write_json(out, build_manifest(listing=chosen, socket_mode=socket_mode, token_rotation=token_rotation))
    typer.echo(f"wrote {out}")


@app.command("teams")
def teams(
    bot_id: str = typer.Option(..., "--bot-id", help="The Azure Bot's Microsoft app id (a GUID)"),
    url: str | None = typer.Option(None, help=URL_HELP),
    developer_name: str | None = typer.Option(None, "--developer-name", help=DEVELOPER_HELP),
    website: str | None = typer.Option(None, help="The publisher's website; default: the coach's address"),
    privacy_url: str | None = typer.Option(None, "--privacy-url", help="Default: the coach's /privacy"),
    terms_url: str | None = typer.Option(None, "--terms-url", help="Default: the coach's /terms"),
    app_version: str | None = typer.Option(
        None,
        "--app-version",
        help="Raise it to re-upload a changed package (Teams re-reads only a new version)",
    ),
    out: Path = typer.Option(
        Path("manifest/build/teams"), help="Folder for manifest.json, icons and the zip"
    ),
) -> None:
    """Write the Teams app package: manifest.json, color.png, outline.png and the zip to upload."""
    from adapters.teams.manifest import APP_VERSION, write_package

    _refuse_committed(out)
    chosen = _listing(
        url, developer_name=developer_name, website=website, privacy=privacy_url, terms=terms_url
    )
    assert chosen is not None
    try:
        path = write_package(
            bot_id=bot_id,
            listing=chosen,
            icons=committed_dir() / "teams",
            out=out,
            version=app_version or APP_VERSION,
        )
    except ValueError as exc:
        typer.echo(f"coach: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {path}")


@app.command("examples", hidden=True)
def examples() -> None:
    """Maintainers: rewrite the committed manifests from the code (then bump the Teams APP_VERSION)."""
    from adapters.slack.manifest import build_manifest as slack_manifest
    from adapters.teams.manifest import EXAMPLE_BOT_ID
    from adapters.teams.manifest import build_manifest as teams_manifest

    folder = committed_dir()
    example = listing(url=EXAMPLE_URL)
    _write_json(folder / "slack.json", slack_manifest(listing=example))
    _write_json(folder / "teams" / "manifest.json", teams_manifest(bot_id=EXAMPLE_BOT_ID, listing=example))
    typer.echo(f"wrote {folder / 'slack.json'} and {folder / 'teams' / 'manifest.json'}")
