"""The outcomes report: its figures from seeded history, and `outcomes` in chat, the CLI and the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlmodel import Session, select
from typer.testing import CliRunner

from adapters.cli.outcomes import outcomes_command
from adapters.runtime import Runtime
from adapters.web.app import build_app
from bot.escalations.models import Escalation
from bot.friction.models import FrictionReport, Status
from bot.messages import Actions, Reply
from bot.outbox.models import OutboxMessage
from bot.outcomes.hooks import WEEKLY, send_weekly
from bot.outcomes.messages import outcomes_message
from bot.outcomes.service import SystemOutcomes, outcomes
from bot.ownership import service as ownership
from bot.people import service as people
from bot.programmes.models import Enrolment, PulseAnswer
from bot.schedule import service as schedule
from bot.usage import service as usage
from bot.usage.parse import UsageIn
from tests.escalations.helpers import ADA, OMAR, UMA, click, install, meet, words
from tests.programmes.harness import actor, run_until, say

DAY = timedelta(days=1)


def seed(runtime: Runtime) -> None:
    """Two weeks of history for Compass (`assistant`), ending at the test clock's now (Mon 23 Nov 09:00)."""
    now = runtime.clock.now()
    last, before = now - 3 * DAY, now - 10 * DAY  # in the last 7 days; in the 7 before them

    def write(session: Session) -> None:
        uma = people.ensure_by_email(session=session, email="uma@example.com", now=now)
        ivan = people.ensure_by_email(session=session, email="ivan@example.com", now=now)
        assert uma.id is not None and ivan.id is not None

        def use(
            key: str, person: str, at: datetime, kind: str = "used", value: float | None = None
        ) -> UsageIn:
            return UsageIn(id=key, person=person, system="assistant", at=at, kind=kind, value=value)

        ingest(
            session=session,
            now=now,
            events=[
                use("b1", "uma@example.com", before),
                use("b2", "ivan@example.com", before),  # goes quiet
                use("b3", "U0NOBODY", before),  # someone the coach never met: counted by handle, goes quiet
                use("l1", "uma@example.com", last),
                use("l2", "uma@example.com", last + DAY),
                use("l3", "new@example.com", last),
                use("l4", "uma@example.com", last, kind="minutes_saved", value=30),
                use("old", "uma@example.com", now - 40 * DAY),  # before any week shown
            ],
        )
        for minutes, at in ((60, last), (90, last), (45, before)):
            session.add(PulseAnswer(person_id=uma.id, programme_key="assistant", step_key="minutes-saved",
                                    question_key="minutes_saved", number=minutes, at=at))  # fmt: skip
        for number, stage in enumerate(("invited", "invited", "habitual", "champion")):
            person = people.ensure_by_email(session=session, email=f"p{number}@example.com", now=now)
            assert person.id is not None
            session.add(
                Enrolment(person_id=person.id, programme_key="assistant", version="v", stage=stage,
                          stage_at=before, enrolled_at=before)
            )  # fmt: skip

        def report(created: datetime, status: Status, updated: datetime) -> FrictionReport:
            return FrictionReport(reporter_id=uma.id, anonymous=True, system_key="assistant", category="c",
                                  severity="s", trying_to="t", status=status, created_at=created,
                                  updated_at=updated)  # fmt: skip

        session.add(report(last, Status.new, last))
        session.add(report(now - 21 * DAY, Status.fixed, last))
        planned = report(before, Status.planned, before)
        session.add(planned)
        session.flush()
        duplicate = report(now - 30 * DAY, Status.new, now - 30 * DAY)  # before every week shown
        duplicate.merged_into = planned.id  # merged: no longer open on its own
        session.add(duplicate)

        def flag(created: datetime, answered: datetime | None, helpful: bool | None = None) -> Escalation:
            return Escalation(system_key="assistant", flagger_id=uma.id, reason="wrong", output_text="o",
                              acknowledge_hours=4, answer_hours=16, acknowledge_due_at=created + timedelta(hours=4),
                              answer_due_at=created + DAY, created_at=created, answered_at=answered,
                              helpful=helpful)  # fmt: skip

        session.add(flag(last, last + timedelta(hours=5), helpful=True))  # in time
        session.add(flag(before, last))  # answered a week late
        session.add(flag(last + DAY, None))  # waiting

    runtime.store.run_sync(write)


def report(runtime: Runtime, weeks: int = 2, min_group: int = 1) -> dict[str, SystemOutcomes]:
    now = runtime.clock.now()
    found = runtime.store.run_sync(
        lambda s: outcomes(session=s, content=runtime.content, now=now, min_group=min_group, weeks=weeks)
    )
    return {s.key: s for s in found}


async def test_figures_week_by_week(runtime: Runtime) -> None:
    seed(runtime)
    compass = report(runtime)["assistant"]
    before, last = compass.weeks
    assert (before.active_users, before.uses, before.went_quiet) == (3, 3, 0)
    assert (last.active_users, last.uses, last.went_quiet) == (2, 4, 2)  # uma and new; ivan and U0NOBODY left
    assert (last.minutes_measured, last.minutes_estimated, last.estimates) == (30, 150, 2)
    assert last.hours_saved == 3.0 and before.hours_saved == 0.75
    assert (last.friction_new, last.friction_fixed, compass.friction_open) == (1, 1, 2)
    assert (last.flags_raised, last.flags_answered, last.answered_within_sla) == (2, 2, 1)
    assert last.median_hours_to_answer == round((5 + 7 * 24) / 2, 1)
    assert (last.helpful, last.not_helpful, compass.flags_open) == (1, 0, 1)
    assert (compass.enrolled, compass.habitual) == (4, 2)
    assert before.start == runtime.clock.now() - 14 * DAY and last.end == runtime.clock.now()

    clauses = report(runtime)["contract-review"]
    assert clauses.enrolled == 0 and all(w.active_users == 0 and w.hours_saved == 0 for w in clauses.weeks)


async def test_in_chat_for_owners_and_admins(runtime: Runtime) -> None:
    seed(runtime)
    shown = words(await say(runtime, ADA, "outcomes"))
    assert "Outcomes: the last 4 weeks" in shown
    assert "Active users: 2 in the last 7 days (3 the week before; 2 went quiet)" in shown
    assert (
        "Enrolled: 5, of whom 2 habitual" in shown
    )  # Ada was enrolled at first contact and "Time saved: 3.0 h in the last 7 days" in shown
    assert "Friction: 1 new, 1 fixed, 2 open" in shown
    assert "active users: 0 · 0 · 3 · 2" in shown
    assert "Clause Checker" in shown

    one = words(await say(runtime, OMAR, "outcomes assistant weeks 2"))  # an owner
    assert "the last 2 weeks" in one and "Compass" in one and "Clause Checker" not in one

    too_long = words(await say(runtime, ADA, "outcomes weeks 52"))
    assert "In chat, weeks go from 1 to 12" in too_long

    refused = await say(runtime, UMA, "outcomes")
    assert refused[0].ephemeral and "Only system owners and admins" in words(refused)
    unknown = words(await say(runtime, ADA, "outcomes <!channel>"))
    assert "I don't know the system" in unknown and "Systems: assistant, contract-review" in unknown


async def test_help_lists_owner_commands_to_owners_and_admins_only(runtime: Runtime) -> None:
    for who, sees in ((UMA, False), (OMAR, True), (ADA, True)):
        listing = words(await say(runtime, who, "help"))
        assert ("outcomes" in listing) is sees and ("readiness" in listing) is sees, who.user_id


async def test_api(runtime: Runtime) -> None:
    seed(runtime)
    runtime.settings = runtime.settings.model_copy(update={"api_token": SecretStr("t0ken")})
    auth = {"Authorization": "Bearer t0ken"}
    async with TestClient(TestServer(build_app(runtime))) as client:
        assert (await client.get("/api/v1/outcomes")).status == 401
        response = await client.get(
            "/api/v1/outcomes", params={"weeks": "2", "system": "assistant"}, headers=auth
        )
        assert response.status == 200
        body: dict[str, Any] = await response.json()
        bad = await client.get("/api/v1/outcomes", params={"weeks": "0"}, headers=auth)
        assert bad.status == 400 and (await bad.json())["field"] == "weeks"
        unknown = await client.get("/api/v1/outcomes", params={"system": "nope"}, headers=auth)
        assert unknown.status == 400 and (await unknown.json())["field"] == "system"
    (compass,) = body["systems"]
    assert (compass["key"], compass["habitual"], compass["enrolled"]) == ("assistant", 2, 4)
    assert [w["active_users"] for w in compass["weeks"]] == [3, 2]
    assert compass["weeks"][1]["hours_saved"] == 3.0 and compass["weeks"][1]["went_quiet"] == 2


def test_cli(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    seed(runtime)
    monkeypatch.setenv("COACH_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("COACH_CONTENT_DIR", str(runtime.settings.content_dir))
    monkeypatch.setenv("COACH_MIN_GROUP_SIZE", "1")
    app = typer.Typer()
    app.command()(outcomes_command)
    result = CliRunner().invoke(app, ["--system", "assistant", "--weeks", "52"])
    assert result.exit_code == 0, result.output
    assert "assistant (Compass):" in result.output and "week to" in result.output
    result = CliRunner().invoke(app, ["--json"])
    assert result.exit_code == 0, result.output
    assert [s["key"] for s in json.loads(result.output)["systems"]] == ["assistant", "contract-review"]
    result = CliRunner().invoke(app, ["--system", "nope"])
    assert result.exit_code == 2 and "no system 'nope'" in result.output


async def test_weekly_report_goes_to_each_business_owner_in_their_hours(runtime: Runtime) -> None:
    sent = install(runtime)
    grace, marco = actor("grace@example.com", "Europe/London"), actor("marco@example.com", "Europe/Berlin")
    await meet(runtime, grace, marco, ADA)
    seed(runtime)
    await run_until(runtime, runtime.clock, datetime(2026, 11, 30, 18, 0, tzinfo=UTC))  # type: ignore[arg-type]
    (report,) = [g for g in sent.to("grace@example.com") if g.message.summary.startswith("Outcomes")]
    assert "Compass" in report.text and "Clause Checker" not in report.text  # hers, and it has figures
    assert report.at.hour >= 9  # Monday, once her working day has started
    assert not [
        g for g in sent.to("marco@example.com") if g.message.summary.startswith("Outcomes")
    ]  # nothing yet
    assert not [g for g in sent.to(ADA.user_id) if g.message.summary.startswith("Outcomes")]
    job = runtime.store.run_sync(lambda s: schedule.by_subject(session=s, subject=WEEKLY))
    assert job is not None and job.due_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


async def test_a_system_without_a_business_owner_is_reported_to_the_admins(runtime: Runtime) -> None:
    await meet(runtime, ADA)
    seed(runtime)

    def without_business_owner(session: Session) -> int:
        row = ownership.assignment(session=session, system="assistant", role="business_owner")
        assert row is not None
        session.delete(row)
        session.flush()
        return send_weekly(session=session, content=runtime.content, settings=runtime.settings,
                           now=runtime.clock.now())  # fmt: skip

    assert runtime.store.run_sync(without_business_owner) == 1
    queued = runtime.store.run_sync(lambda s: s.exec(select(OutboxMessage)).all())
    (row,) = [r for r in queued if r.idempotency_key.startswith("outcomes:weekly:")]
    assert row.address.get("user") == "ada@example.com" and "Compass" in json.dumps(row.payload)


async def test_home_offers_outcomes_to_owners_and_admins(runtime: Runtime) -> None:
    def buttons(replies: list[Reply]) -> list[str]:
        return [b.action_id for r in replies if r.message for a in r.message.blocks if isinstance(a, Actions)
                for b in a.buttons]  # fmt: skip

    assert "outcomes.show" in buttons(await say(runtime, ADA, "home"))
    assert "outcomes.show" not in buttons(await say(runtime, UMA, "home"))
    assert "Outcomes: the last 4 weeks" in words(await click(runtime, ADA, "outcomes.show", ""))
    assert "Only system owners and admins" in words(await click(runtime, UMA, "outcomes.show", ""))


async def test_counts_of_fewer_people_than_the_minimum_group_are_withheld(runtime: Runtime) -> None:
    """With the default minimum of 5, two active users or three estimates could be told apart."""
    seed(runtime)
    compass = report(runtime, min_group=5)["assistant"]
    before, last = compass.weeks
    assert (last.active_users, last.went_quiet, before.active_users) == (None, None, None)
    assert (last.estimates, last.minutes_estimated, last.minutes_measured) == (None, None, 30)
    assert last.hours_saved == 0.5  # what the system measured; people's estimates are withheld
    assert (compass.enrolled, compass.habitual, compass.stages["invited"]) == (None, None, None)
    assert compass.stages["activated"] == 0  # nobody is not a group to protect
    assert (last.friction_new, last.flags_raised, compass.flags_open) == (
        1,
        2,
        1,
    )  # counts of reports, not people
    shown = words([Reply(message=outcomes_message([compass], weeks=2))])
    assert "Active users: fewer than 5 in the last 7 days (fewer than 5 the week before" in shown
    assert "fewer than 5 people estimated" in shown and "active users: <5 · <5" in shown
    assert compass.as_json()["weeks"][1]["active_users"] is None and compass.as_json()["min_group_size"] == 5
    # Uma's rating of the answer she got: "helped in 1 of 1 rated" would tell the owner how she rated.
    assert (last.helpful, last.not_helpful) == (None, None)
    assert "helped in" not in shown and "fewer than 5 people rated the answers" in shown
    assert (
        compass.as_json()["weeks"][1]["helpful"] is None
        and compass.as_json()["weeks"][1]["not_helpful"] is None
    )
    # The owners' own answer times are theirs to see.
    assert (last.flags_answered, last.answered_within_sla) == (2, 1) and last.median_hours_to_answer


async def test_ratings_show_once_enough_people_rated(runtime: Runtime) -> None:
    seed(runtime)
    now = runtime.clock.now()

    def four_more_ratings(session: Session) -> None:
        for n, helpful in enumerate((True, False, False, True)):
            flagger = people.ensure_by_email(session=session, email=f"rater{n}@example.com", now=now)
            created = now - 2 * DAY
            session.add(Escalation(system_key="assistant", flagger_id=flagger.id, reason="wrong", output_text="o",
                                   acknowledge_hours=4, answer_hours=16, acknowledge_due_at=created,
                                   answer_due_at=created + DAY, created_at=created,
                                   answered_at=created + timedelta(hours=2), helpful=helpful))  # fmt: skip

    runtime.store.run_sync(four_more_ratings)
    last = report(runtime, min_group=5)["assistant"].weeks[-1]
    assert (last.helpful, last.not_helpful) == (3, 2)
    shown = words([Reply(message=outcomes_message([report(runtime, min_group=5)["assistant"]], weeks=2))])
    assert "the answer helped in 3 of 5 rated" in shown


def ingest(*, session: Session, events: list[UsageIn], now: datetime) -> usage.IngestResult:
    """What the usage API does: the handles' people first, then the events."""
    handles = people.ids_by_handle(session=session, handles={e.person for e in events})
    return usage.ingest(session=session, events=events, people=handles, now=now)
