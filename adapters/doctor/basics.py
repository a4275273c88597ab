"""What every install needs: settings that hold together, a migrated database, valid content."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from adapters.doctor.report import LOCAL_ONLY, Finding, fail, info, ok
from bot.config import Settings
from bot.content import Content, ContentError, load_content
from bot.store.migrate import alembic_config


def settings_findings(settings: Settings) -> list[Finding]:
    found = [info("Settings", "platforms", ", ".join(settings.platforms) or "none")]
    if not (settings.slack_enabled or settings.teams_enabled):
        found.append(
            info("Settings", LOCAL_ONLY, "neither is configured: only the local chat is served")
        )
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


def database_problem(url: str) -> str | None:
    """Why the database cannot serve this code yet, or None. (The start-up check of issue #13 will
    own this; until it lands, `coach doctor` asks Alembic itself.)"""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:
        return f"cannot connect: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    finally:
        engine.dispose()
    script = ScriptDirectory.from_config(alembic_config(url))
    if not current:
        return "not migrated"
    known = {revision.revision for revision in script.walk_revisions()}
    if current - known:
        return None  # a newer release migrated it (a rolling upgrade): this code runs on it
    if current != set(script.get_heads()):
        return "migrations pending"
    return None


def database_findings(settings: Settings) -> list[Finding]:
    problem = database_problem(settings.database_url)
    if problem is None:
        return [ok("Database", "migrated", "schema up to date")]
    if problem.startswith("cannot connect"):
        return [
            fail("Database", "reachable", problem, "check COACH_DATABASE_URL and that the database is up")
        ]
    fix = "run `coach db upgrade`" + (" (or `coach run`, which does it on SQLite)" if settings.is_sqlite else "")
    return [fail("Database", "migrated", problem, fix)]


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
