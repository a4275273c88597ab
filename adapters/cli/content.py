"""`coach content check [DIR]`: validate programmes, templates, systems.yaml and friction.yaml."""

from __future__ import annotations

from pathlib import Path

import typer

from adapters.cli.common import settings_or_exit
from bot.content import check_content, load_content

app = typer.Typer(no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Check programmes, templates, systems.yaml and friction.yaml."""


@app.command("check")
def check(
    directory: Path | None = typer.Argument(
        None, help="The content folder (default: COACH_CONTENT_DIR, i.e. ./content)", show_default=False
    ),
) -> None:
    """Print `file:line: message` for every problem and exit 1; or a one-line summary and exit 0."""
    folder = directory if directory is not None else settings_or_exit().content_dir
    problems = check_content(folder)
    if problems:
        for problem in problems:
            where = folder / problem.file if problem.file else folder
            typer.echo(f"{where}:{problem.line}: {problem.message}")
        typer.echo(f"{len(problems)} problem(s) in {folder}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{folder}: OK, {load_content(folder).summary()}")


@app.command("show")
def show(
    template: str = typer.Argument(..., help="A template under templates/, e.g. generic/snoozed.md.j2"),
    directory: Path | None = typer.Option(
        None, "--dir", help="The content folder (default: COACH_CONTENT_DIR)"
    ),
) -> None:
    """Render one template with the sample context `check` uses, to read it as people will."""
    from bot.content import ContentError

    folder = directory if directory is not None else settings_or_exit().content_dir
    try:
        content = load_content(folder)
    except ContentError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    if template not in content.templates:
        typer.echo(f"no template {template!r}; there are: {', '.join(content.templates)}", err=True)
        raise typer.Exit(1)
    typer.echo(content.render(template, **content.sample))
