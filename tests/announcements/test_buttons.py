"""Announcement buttons at the engine level: Got it and Confirm settle the message they are on and count
once; only a recipient may acknowledge an announcement or ask about it, and others learn nothing of it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.runtime import Runtime
from bot.announcements import messages as m
from bot.announcements.models import Announcement, AnnouncementState
from bot.events import Clicked, Place, Submitted
from bot.messages import OPEN_FORM, Actions, Button, Reply
from bot.ports import FixedClock
from tests.announcements.helpers import ADA, KENJI, LUCY, UMA, button, click, compose, say, text_of, texts
from tests.programmes.harness import RecordingSender, dm, run_until

TITLE = "Compass now reads spreadsheets"


@pytest.fixture
def sender(runtime: Runtime, clock: FixedClock) -> RecordingSender:
    recording = RecordingSender(clock)
    runtime.dispatcher.senders["local"] = recording
    return recording


def labels(reply: Reply) -> list[str]:
    assert reply.message is not None
    return [b.label for block in reply.message.blocks if isinstance(block, Actions) for b in block.buttons]


async def sent(runtime: Runtime, clock: FixedClock, sender: RecordingSender, **values: str) -> None:
    for who in (ADA, KENJI, LUCY, UMA):
        await say(runtime, who, "hi")
    preview = await compose(runtime, ADA, audience_param="kenji@example.com, lucy@example.com", **values)
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(days=2))


async def test_got_it_settles_the_announcement_and_counts_once(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await sent(runtime, clock, sender)
    (got,) = [r for r in sender.to(KENJI.user_id) if r.key.startswith("announcement:1:person:")]
    got_it = button(got.message, "Got it")

    (shown,) = await runtime.engine.handle(Clicked(KENJI, dm(KENJI), got_it.action_id, got_it.value))
    assert shown.replace_source and "Thanks, Kenji: noted that you've read it." in texts([shown])
    assert labels(shown) == ["I have a question"]  # the question stays possible
    assert TITLE in str(shown.message)  # the announcement itself, as he got it

    again, note = await runtime.engine.handle(Clicked(KENJI, dm(KENJI), got_it.action_id, got_it.value))
    assert again.replace_source and again.message == shown.message
    assert note.stale and note.ephemeral and text_of(note.message) == "Already recorded: **Got it**"
    assert "Acknowledged: 1" in texts(await say(runtime, ADA, "announcement 1"))


async def test_only_recipients_acknowledge_or_ask_and_others_learn_nothing(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await sent(runtime, clock, sender)
    for action_id, value in ((m.ACK, "1"), (OPEN_FORM, f"{m.QUESTION_FORM}|1"), (m.ACK, "2"), (m.ACK, "x")):
        (refused,) = await click(runtime, UMA, Button(action_id, "forged", value=value))
        assert refused.ephemeral and refused.form is None
        assert texts([refused]) == "That announcement no longer exists."  # not its title
    question = Submitted(UMA, dm(UMA), m.QUESTION_FORM, {"question": "What is it?"}, context="1")
    (refused,) = await runtime.engine.handle(question)
    assert texts([refused]) == "That announcement no longer exists."
    in_general = Place("local", "local", "general", False, address={"channel": "general"})
    (refused,) = await runtime.engine.handle(Clicked(UMA, in_general, m.ACK, "1"))  # not its channel
    assert texts([refused]) == "That announcement no longer exists."
    assert "Acknowledged: 0" in texts(await say(runtime, ADA, "announcement 1"))
    assert "Questions: 0" in texts(await say(runtime, ADA, "announcement 1"))

    (opened,) = await click(
        runtime, LUCY, Button(OPEN_FORM, "I have a question", value=f"{m.QUESTION_FORM}|1")
    )
    assert opened.form is not None and TITLE in (opened.form.intro or "")


async def test_confirm_and_cancel_settle_the_preview_and_a_late_click_changes_nothing(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    for who in (ADA, KENJI):
        await say(runtime, who, "hi")
    preview = (await compose(runtime, ADA, audience_param="kenji@example.com"))[0].message
    confirm, cancel = button(preview, "Confirm and send"), button(preview, "Cancel")
    assert cancel.action_id == m.DISCARD

    (shown,) = await click(runtime, ADA, confirm)
    assert shown.replace_source and "Confirmed. Announcement 1 goes to 1 person. I'll keep" in texts([shown])
    for late in (confirm, cancel):  # a double click, or Cancel on a stale copy of the preview
        again, note = await click(runtime, ADA, late)
        assert again.replace_source and again.message == shown.message
        assert note.stale and text_of(note.message) == "Already recorded: **Confirm and send**"
    state = runtime.store.run_sync(lambda s: s.get(Announcement, 1).state)  # type: ignore[union-attr]
    assert state == AnnouncementState.scheduled  # not cancelled by the stale Cancel

    second = (await compose(runtime, ADA, audience_param="kenji@example.com"))[0].message
    (dropped,) = await click(runtime, ADA, button(second, "Cancel"))
    assert dropped.replace_source and texts([dropped]) == "Cancelled: nothing was sent."
    again, note = await click(runtime, ADA, button(second, "Confirm and send"))
    assert (
        texts([again]) == "Cancelled: nothing was sent."
        and text_of(note.message) == "Already recorded: **Cancel**"
    )
    state = runtime.store.run_sync(lambda s: s.get(Announcement, 2).state)  # type: ignore[union-attr]
    assert state == AnnouncementState.cancelled
