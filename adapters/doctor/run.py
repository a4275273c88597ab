"""Every check in order: settings, database, content, then each platform that is configured."""

from __future__ import annotations

from adapters.doctor.basics import content_findings, database_findings, settings_findings
from adapters.doctor.report import Finding
from bot.channels import service as channels
from bot.config import Settings
from bot.people import service as people
from bot.store.db import Store


async def examine(settings: Settings, *, store: Store) -> list[Finding]:
    found = settings_findings(settings)
    database = database_findings(settings)
    found.extend(database)
    content_found, content = content_findings(settings)
    found.extend(content_found)
    migrated = not any(f.failed for f in database)
    if settings.slack_enabled:
        from adapters.slack import doctor as slack

        found.extend(await slack.findings(settings=settings, content=content, store=store))
    if settings.teams_enabled:
        from adapters.teams import doctor as teams

        known = await store.read(lambda s: channels.known(session=s, platform="teams")) if migrated else {}
        addresses = (
            await store.read(lambda s: people.addresses(session=s, platform="teams")) if migrated else []
        )
        found.extend(
            await teams.findings(settings=settings, content=content, channels=known, addresses=addresses)
        )
    return found
