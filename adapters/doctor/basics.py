"""What every install needs: settings that hold together, a migrated database, valid content."""

from __future__ import annotations

from adapters.doctor.report import LOCAL_ONLY, Finding, fail, info, ok
from bot.config import Settings
from bot.content import Content, ContentError, load_content
from bot.migrations.migrate import DatabaseUnreachable, check_database, scripts


def settings_findings(settings: Settings) -> list[Finding]:
    found = [info("Settings", "platforms", ", ".join(settings.platforms) or "none")]
    if not (settings.slack_enabled or settings.teams_enabled):
        found.append(info("Settings", LOCAL_ONLY, "neither is configured: only the local chat is served"))
    needs_url = (settings.slack_enabled and settings.slack_app_token is None) or settings.teams_enabled
    if settings.public_url:
        found.append(ok("Settings", "COACH_PUBLIC_URL", settings.public_url))
    elif needs_url:
        found.append(
            fail(
                "Settings",
                "COACH_PUBLIC_URL",
                "not set",
                "set COACH_PUBLIC_URL to the https address Slack and Teams reach this coach at "
                "(the manifests, the install redirect and the privacy links use it)",
            )
        )
    return found


def database_findings(settings: Settings) -> list[Finding]:
    """The start-up check's verdict (bot.migrations.migrate.check_database), plus migrations not yet applied."""
    try:
        status = check_database(settings.database_url)
    except DatabaseUnreachable as exc:
        return [
            fail("Database", "reachable", str(exc), "check COACH_DATABASE_URL and that the database is up")
        ]
    if status.behind:
        fix = "run `coach db upgrade`" + (
            " (or `coach run`, which does it on SQLite)" if settings.is_sqlite else ""
        )
        return [fail("Database", "migrated", status.explain(), fix)]
    pending = set(scripts().get_heads()) - set(status.revisions) if not status.newer else set()
    if pending:
        return [info("Database", "migrated", "runs, but newer migrations wait: run `coach db upgrade`")]
    return [ok("Database", "migrated", "schema up to date")]


def content_findings(settings: Settings) -> tuple[list[Finding], Content | None]:
    try:
        content = load_content(settings.content_dir)
    except ContentError as exc:
        first = str(exc).splitlines()[0][:300]
        fix = "run `coach content check` and correct the files it names"
        return [fail("Content", "valid", first, fix)], None
    return [
        ok("Content", "valid", f"{len(content.systems)} AI system(s), {len(content.programmes)} programme(s)")
    ], content
