"""The demo's example history: a new database of the embedded default shows a rollout with twelve weeks
behind it (outcomes, dashboard), `coach demo reset` makes it again, and no platform deployment has it."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlmodel import Session, col, func, select

from adapters.runtime import build_runtime
from adapters.web.app import build_app
from bot.config import Settings
from bot.content import Content
from bot.demo import service as demo
from bot.demo.history import DOMAIN
from bot.outcomes.service import outcomes
from bot.people.models import Person
from bot.ports import FixedClock
from bot.store.db import Store
from tests.demo.test_seeder import demo_settings


def example_people(store: Store) -> int:
    return int(
        store.run_sync(
            lambda s: s.exec(select(func.count()).where(col(Person.email).like(f"%@{DOMAIN}"))).one()
        )
    )


def test_a_new_demo_database_has_twelve_weeks_of_history(
    database_url: str, store: Store, clock: FixedClock, content: Content
) -> None:
    settings = demo_settings(database_url, COACH_DEMO_HISTORY="true")
    runtime = build_runtime(settings, clock=clock, store=store, content=content)
    assert example_people(store) == 48

    def figures(session: Session) -> list[int | None]:
        found = outcomes(session=session, content=content, now=clock.now(), min_group=5, weeks=12)
        return [w.active_users for w in found[0].weeks]

    active = store.run_sync(figures)
    assert len(active) == 12 and sum(n or 0 for n in active) > 0 and active[-1]
    build_runtime(settings, clock=clock, store=store, content=content)  # a restart adds nothing
    assert example_people(store) == 48
    assert runtime.settings.demo_enabled


def test_reset_makes_the_history_again(
    database_url: str, store: Store, clock: FixedClock, content: Content
) -> None:
    settings = demo_settings(database_url, COACH_DEMO_HISTORY="true")
    build_runtime(settings, clock=clock, store=store, content=content)
    clock.advance(days=30)
    ran = store.run_sync(lambda s: demo.reset(session=s, content=content, now=clock.now()))
    assert ran == [demo.HISTORY]
    assert example_people(store) == 48


def test_no_history_on_a_slack_deployment(
    database_url: str, store: Store, clock: FixedClock, content: Content
) -> None:
    settings = demo_settings(database_url, COACH_DEMO_HISTORY="true")
    slack = Settings.model_validate(
        {
            **settings.model_dump(by_alias=True),
            "SLACK_BOT_TOKEN": SecretStr("xoxb-1"),
            "SLACK_SIGNING_SECRET": SecretStr("s"),
        }
    )
    assert not slack.demo_enabled
    build_runtime(slack, clock=clock, store=store, content=content)
    assert example_people(store) == 0


async def test_the_dashboard_shows_the_history(
    database_url: str, store: Store, clock: FixedClock, content: Content
) -> None:
    runtime = build_runtime(
        demo_settings(database_url, COACH_DEMO_HISTORY="true"), clock=clock, store=store, content=content
    )
    async with TestClient(TestServer(build_app(runtime))) as client:
        signed = await client.post(
            "/dashboard/sign-in",
            data={"email": "ada@example.com"},
            headers={"Origin": f"http://{client.host}:{client.port}"},
        )
        assert signed.status == 200
        for name in ("overview", "funnel", "escalations", "friction", "announcements", "readiness"):
            page = await client.get(f"/dashboard/{name}")
            assert page.status == 200, name
            assert "data:image/svg+xml" in await page.text() or name in ("announcements", "readiness")
