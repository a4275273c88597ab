"""`coach manifest slack` and `coach manifest teams`: write the app manifest / Teams app package."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("slack")
def slack(
    url: str = typer.Option(..., help="Public base URL of this coach, e.g. https://bot.example.com"),
    out: Path = typer.Option(Path("manifest/slack.json"), help="Where to write the manifest"),
) -> None:
    """Write the Slack app manifest with exactly the scopes, events, commands and shortcuts used."""
    from adapters.slack.manifest import write_manifest

    path = write_manifest(url=url, out=out)
    typer.echo(f"wrote {path}")


@app.command("teams")
def teams(
    bot_id: str = typer.Option(..., "--bot-id", help="The bot's Microsoft app id"),
    url: str = typer.Option(..., help="Public base URL of this coach, e.g. https://bot.example.com"),
    out: Path = typer.Option(Path("manifest/teams"), help="Folder for manifest.json, icons and the zip"),
) -> None:
    """Write the Teams app package: manifest.json, color.png, outline.png and the zip to upload."""
    from adapters.teams.manifest import write_package

    path = write_package(bot_id=bot_id, url=url, out=out)
    typer.echo(f"wrote {path}")
