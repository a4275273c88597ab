"""Issue #5's walk-through: people in Tokyo and Los Angeles through a whole programme, by the clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.runtime import Runtime
from bot.ports import FixedClock
from bot.programmes.signals import record_usage
from bot.usage.parse import Rules, parse_body
from tests.programmes.harness import Received, RecordingSender, actor, run_until, say

KENJI = actor("kenji@example.com", "Asia/Tokyo")
LUCY = actor("lucy@example.com", "America/Los_Angeles")
PROGRAMME_KINDS = ("programme:",)


@pytest.fixture
def sender(runtime: Runtime, clock: FixedClock) -> RecordingSender:
    recording = RecordingSender(clock)
    runtime.dispatcher.senders["local"] = recording
    return recording


def assert_inside_working_hours(received: list[Received], zone: str) -> None:
    for r in received:
        local = r.at.astimezone(ZoneInfo(zone))
        assert local.weekday() < 5, f"{r.key} sent on a {local:%A}"
        assert 9 <= local.hour < 17, f"{r.key} sent at {local:%H:%M} local"


def assert_weekly_cap(received: list[Received], cap: int) -> None:
    times = sorted(r.at for r in received)
    for i, start in enumerate(times):
        in_week = [t for t in times[i:] if t < start + timedelta(days=7)]
        assert len(in_week) <= cap, f"{len(in_week)} messages in the week from {start}"


def use_system(runtime: Runtime, email: str, at: datetime, n: int) -> None:
    body = json.dumps(
        [
            {
                "id": f"{email}-{at.isoformat()}-{i}",
                "person": email,
                "system": "assistant",
                "at": at.isoformat(),
            }
            for i in range(n)
        ]
    ).encode()
    events = parse_body(body, rules=Rules(systems=runtime.content.systems, now=at))
    runtime.store.run_sync(lambda s: record_usage(session=s, events=events, content=runtime.content, now=at))


async def test_tokyo_and_los_angeles_walk_through_the_programme(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    start = clock.now()  # Monday 09:00 UTC: 18:00 in Tokyo, 01:00 in Los Angeles
    await say(runtime, KENJI, "hi")
    await say(runtime, LUCY, "hi")

    # Lucy uses the assistant every working day; Kenji never does.
    day = start
    for _ in range(30):
        day += timedelta(days=1)
        if day.weekday() < 5:
            await run_until(runtime, clock, day)
            use_system(runtime, LUCY.user_id, day, 1)
    await run_until(runtime, clock, start + timedelta(days=35))

    kenji, lucy = sender.to(KENJI.user_id), sender.to(LUCY.user_id)
    assert kenji and lucy
    assert_inside_working_hours(kenji, "Asia/Tokyo")
    assert_inside_working_hours(lucy, "America/Los_Angeles")
    assert_weekly_cap(kenji, runtime.settings.weekly_cap)
    assert_weekly_cap(lucy, runtime.settings.weekly_cap)
    assert len({r.key for r in sender.received}) == len(sender.received), "a message was sent twice"

    kenji_steps = [r.key.split(":")[2] for r in kenji]
    lucy_steps = [r.key.split(":")[2] for r in lucy]
    assert kenji_steps[0] == "welcome" and lucy_steps[0] == "welcome"
    assert "come-back" in kenji_steps, "an inactive person gets the come-back nudge"
    assert "come-back" not in lucy_steps, "an active person skips it"
    assert "first-task" in kenji_steps and "first-task" not in lucy_steps  # skip_if used_system
    assert "ten-uses" in lucy_steps and "ten-uses" not in kenji_steps  # usage milestone
    # The welcome waited for each person's first working hour.
    assert kenji[0].at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%a %H:%M") == "Tue 09:00"
    assert lucy[0].at.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%a %H:%M") == "Mon 09:00"


async def test_snooze_and_stop_hold_messages_until_they_may_go(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    start = clock.now()
    await say(runtime, LUCY, "hi")
    await run_until(runtime, clock, start + timedelta(days=1))
    assert [r.key.split(":")[2] for r in sender.to(LUCY.user_id)] == ["welcome"]

    await say(runtime, LUCY, "snooze next week")
    snoozed_at = clock.now()
    await run_until(runtime, clock, start + timedelta(days=9))
    after = [r for r in sender.to(LUCY.user_id) if r.at > snoozed_at]
    assert after, "messages resume after the snooze"
    local = after[0].at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert local.weekday() == 0 and local.hour == 9, f"first message after snooze at {local}"

    await say(runtime, LUCY, "stop")
    stopped_at = clock.now()
    await run_until(runtime, clock, start + timedelta(days=20))
    assert not [r for r in sender.to(LUCY.user_id) if r.at > stopped_at]

    await say(runtime, LUCY, "start")
    started_at = clock.now()
    await run_until(runtime, clock, start + timedelta(days=25))
    resumed = [r for r in sender.to(LUCY.user_id) if r.at > started_at]
    assert resumed, "start brings held messages back, nothing was dropped"
    assert_inside_working_hours(sender.to(LUCY.user_id), "America/Los_Angeles")


def test_step_context_has_everything_the_sample_promises(runtime: Runtime) -> None:
    from bot.content import sample_context
    from bot.people.models import Person
    from bot.programmes.messages import step_context

    programme = runtime.content.programmes["assistant"]
    person = Person(
        email="uma@example.com", display_name="Uma Okafor", created_at=datetime.now().astimezone()
    )
    context = step_context(
        person=person, programme=programme, step=programme.steps[0], content=runtime.content, stage="invited"
    )
    sample = sample_context()
    for key in ("person", "system", "programme", "step", "stats"):
        assert set(sample[key]) <= set(context[key]), key
