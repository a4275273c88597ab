"""Snooze's buttons name when each choice really ends (#13): on a Friday the next working day is Monday,
so no button says "tomorrow morning"; two choices ending at the same moment are one button."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.runtime import Runtime
from bot.events import Clicked
from bot.messages import Actions, Reply, Text
from bot.ports import FixedClock
from bot.programmes import messages as m
from tests.programmes.harness import actor, dm, say

UMA = actor("uma@example.com", "UTC")


def labels(replies: list[Reply]) -> dict[str, str]:
    (reply,) = replies
    assert reply.message is not None
    return {b.label: b.value for block in reply.message.blocks if isinstance(block, Actions) for b in block.buttons}


async def snooze_choices(runtime: Runtime) -> dict[str, str]:
    return labels(await runtime.engine.handle(Clicked(UMA, dm(UMA), m.SNOOZE, "")))


async def test_on_a_monday_each_choice_names_its_day(runtime: Runtime, clock: FixedClock) -> None:
    clock.at = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday
    await say(runtime, UMA, "hi")
    assert await snooze_choices(runtime) == {
        "Until today at 15:00": "hour",
        "Until tomorrow at 09:00": "tomorrow",
        "Until Monday 30 November at 09:00": "next_week",
    }


async def test_on_a_friday_the_next_working_day_is_monday(runtime: Runtime, clock: FixedClock) -> None:
    clock.at = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # Friday, half an hour before the day ends
    await say(runtime, UMA, "hi")
    choices = await snooze_choices(runtime)
    assert choices == {"Until Monday at 09:00": "hour"}  # an hour, the next day and next week: all Monday 09:00
    assert not [label for label in choices if "tomorrow" in label.lower()]

    clock.at = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    choices = await snooze_choices(runtime)
    assert choices == {"Until today at 11:00": "hour", "Until Monday at 09:00": "tomorrow"}
    replies = await runtime.engine.handle(Clicked(UMA, dm(UMA), f"{m.SNOOZE}.choice", "tomorrow"))
    said = "\n".join(b.markdown for r in replies if r.message for b in r.message.blocks if isinstance(b, Text))
    assert "until Monday at 09:00 your time" in said
