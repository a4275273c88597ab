"""The demo seeder: the embedded default gives the local chat's people the roles its sidebar shows,
once per database, and never runs on a Slack or Teams deployment."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session, select

from adapters.runtime import Runtime, build_runtime
from bot.audit.models import AuditEntry
from bot.config import Settings, load_settings
from bot.content import Content
from bot.demo import service as demo
from bot.demo.people import ADMIN, USER, demo_people
from bot.events import Actor, Said
from bot.messages import Context, Header, Reply, Text
from bot.outbox import service as outbox
from bot.ownership import service as ownership
from bot.people import service as people
from bot.people.models import Person
from bot.ports import FixedClock
from bot.programmes import service as programmes
from bot.store.db import Store
from tests.conftest import PROJECT
from tests.programmes.harness import actor, dm

ADA = actor(ADMIN.email, "Europe/London")
OMAR = actor("omar@example.com", "America/New_York")
UMA = actor(USER.email, "Europe/London")


def demo_settings(database_url: str, **more: str) -> Settings:
    """The embedded default as `make run` has it: no COACH_ADMINS, no platform credentials."""
    return load_settings(
        COACH_DATABASE_URL=database_url, COACH_CONTENT_DIR=str(PROJECT / "content"), _env_file=None, **more
    )


def start(settings: Settings, store: Store, clock: FixedClock, content: Content) -> Runtime:
    return build_runtime(settings, clock=clock, store=store, content=content)


async def say(runtime: Runtime, who: Actor, text: str) -> str:
    replies: list[Reply] = await runtime.engine.handle(Said(who, dm(who), text))
    return "\n".join(
        b.markdown if isinstance(b, Text | Context) else b.text
        for r in replies
        if r.message
        for b in r.message.blocks
        if isinstance(b, Text | Context | Header)
    )


def person(runtime: Runtime, email: str) -> Person:
    found = runtime.store.run_sync(lambda s: people.by_email(session=s, email=email))
    assert found is not None, email
    return found


def seeded_steps(runtime: Runtime) -> list[str]:
    def query(session: Session) -> list[str]:
        return [e.subject for e in session.exec(select(AuditEntry).where(AuditEntry.action == demo.SEEDED))]

    return runtime.store.run_sync(query)


async def test_a_fresh_demo_gives_everyone_the_role_the_sidebar_shows(
    database_url: str, store: Store, clock: FixedClock, content: Content
) -> None:
    runtime = start(demo_settings(database_url), store, clock, content)
    shown = {p.email: p.role for p in demo_people(content)}
    assert shown == {"ada@example.com": "admin", "omar@example.com": "owner", "uma@example.com": "user"}

    ada = await say(runtime, ADA, "hi")
    assert "Welcome, Ada" in ada and "Your roles: admin, user." in ada and "`preview [KEY]`" in ada
    assert "Only admins" not in await say(runtime, ADA, "admins")
    assert await say(runtime, ADA, "preview") == ""  # no refusal: the preview comes through the outbox
    header = runtime.store.run_sync(lambda s: outbox.by_key(session=s, key="preview:1:header"))
    assert header is not None and "Preview of" in str(header.payload)

    omar = await say(runtime, OMAR, "hi")
    assert "Welcome, Omar" in omar and "Your roles: owner, user." in omar
    holder = runtime.store.run_sync(
        lambda s: ownership.holder(session=s, system="assistant", role="escalation_owner")
    )
    assert holder is not None and holder.email == "omar@example.com"

    uma = await say(runtime, UMA, "hi")
    assert "Welcome, Uma" in uma and "Your roles: user." in uma
    for email, role in shown.items():
        assert role in person(runtime, email).roles and person(runtime, email).roles <= {"user", role}
    uma_id = person(runtime, UMA.user_id).id or 0
    enrolled = runtime.store.run_sync(lambda s: programmes.enrolments_of(session=s, person_id=uma_id))
    assert [e.programme_key for e in enrolled] == ["assistant"]  # a newcomer, like anyone
    ada_id = person(runtime, ADA.user_id).id or 0
    assert runtime.store.run_sync(lambda s: programmes.enrolments_of(session=s, person_id=ada_id))


async def test_a_restart_adds_nothing_and_keeps_what_changed_in_chat(
    database_url: str, store: Store, clock: FixedClock, content: Content
) -> None:
    settings = demo_settings(database_url)
    runtime = start(settings, store, clock, content)
    await say(runtime, ADA, "hi")
    assert "is now an admin" in await say(runtime, ADA, "admins add uma@example.com")
    await say(runtime, UMA, "hi")
    assert "no longer an admin" in await say(runtime, UMA, "admins remove ada@example.com")

    again = start(settings, store, clock, content)
    assert not person(again, ADA.user_id).is_admin  # removed in chat, stays removed
    assert person(again, UMA.user_id).is_admin
    assert seeded_steps(again) == ["demo:people"]
    count = again.store.run_sync(
        lambda s: len(s.exec(select(Person).where(Person.email == ADA.user_id)).all())
    )
    assert count == 1


def test_a_later_step_runs_once_on_a_database_seeded_before_it_existed(
    store: Store, clock: FixedClock, content: Content
) -> None:
    ran: list[datetime] = []
    later = (*demo.STEPS, demo.Step("demo:later", lambda _session, _content, now: ran.append(now)))
    now = clock.now()
    assert store.run_sync(lambda s: demo.seed(session=s, content=content, now=now)) == [
        "demo:people",
        "demo:history",
    ]
    assert store.run_sync(lambda s: demo.seed(session=s, content=content, now=now, steps=later)) == [
        "demo:later"
    ]
    assert store.run_sync(lambda s: demo.seed(session=s, content=content, now=now, steps=later)) == []
    assert ran == [now]
    assert store.run_sync(lambda s: demo.has_run(session=s, step="demo:later"))


@pytest.mark.parametrize(
    "platform",
    [
        {"SLACK_SIGNING_SECRET": "s3cret", "SLACK_BOT_TOKEN": "xoxb-1"},
        {"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1"},
        {"TEAMS_APP_ID": "00000000-0000-0000-0000-000000000001", "TEAMS_APP_PASSWORD": "pw"},
        {"SLACK_BOT_TOKEN": "xoxb-1"},  # even an incomplete set of credentials is no demo
    ],
    ids=["slack", "slack-socket-mode", "teams", "slack-token-only"],
)
def test_never_on_a_slack_or_teams_deployment(
    platform: dict[str, str], database_url: str, store: Store, clock: FixedClock, content: Content
) -> None:
    settings = demo_settings(database_url, COACH_LOCAL_CHAT="true", **platform)  # the chat forced on, too
    assert settings.local_chat_enabled and not settings.demo_enabled
    runtime = start(settings, store, clock, content)
    assert seeded_steps(runtime) == []
    assert runtime.store.run_sync(lambda s: people.by_email(session=s, email=ADMIN.email)) is None


def test_coach_demo_false_turns_it_off(
    database_url: str, store: Store, clock: FixedClock, content: Content
) -> None:
    settings = demo_settings(database_url, COACH_DEMO="false")
    assert settings.local_chat_enabled and not settings.demo_enabled
    assert seeded_steps(start(settings, store, clock, content)) == []
