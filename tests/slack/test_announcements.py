"""An announcement over signed Slack requests: `announce` in a DM → Compose opens the modal → the
submission's preview → Confirm → the fan-out's posts to each recipient → "Got it" → the report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from adapters.runtime import Runtime
from bot.announcements.models import AnnouncementRecipient
from bot.ports import FixedClock
from tests.fakes.slack_api import FakeSlackApi
from tests.programmes.harness import run_until
from tests.slack.conftest import ADA, BOB, SlackClient
from tests.slack.test_flows import all_text
from tests.slack.test_programme import (  # the same clock-driven outbox as the programme test
    answer_after,
    button,
    buttons,
    explicit_outbox,
    outbox_key,
    press,
    proactive,
    slack_settings,
    submission,
    ts_of,
)

__all__ = ["explicit_outbox", "slack_settings"]  # fixtures, used by pytest by name

CAROL = "UCAROL"
VALUES = {
    "title": "Compass now reads spreadsheets",
    "body": "Hi {{ person.first_name }}, Compass reads **.xlsx** files now. <!channel>",
    "system": "assistant",
    "model_version": "compass-2026-12",
    "audience_kind": "people",
    "audience_param": "bob@example.com, carol@example.com, dave@example.com",
    "when": "now",
    "ack_required": "yes",
    "critical": "no",
}


async def test_announce_confirm_fan_out_and_acknowledge_over_slack(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime, clock: FixedClock
) -> None:
    start = clock.now()  # Monday 09:00 UTC: 04:00 for Bob in New York, 09:00 for Carol in London
    fake.add_user(CAROL, email="carol@example.com", name="Carol", tz="Europe/London")
    for n, user in enumerate((BOB, CAROL, ADA)):  # Dave never talked to the coach
        # One after another: simultaneous first contacts race on PostgreSQL (see test_programme.py).
        await slack.dm(user, "hi", event_id=f"EvHi{n}")
        await fake.wait_for("chat.postMessage", 2 * (n + 1))  # the first-contact welcome and the help

    # A typed command has no trigger_id: the answer carries a button that opens the modal.
    before = len(fake.to("chat.postMessage"))
    await slack.dm(ADA, "announce", event_id="EvAnnounce")
    offer = await answer_after(fake, f"D{ADA}", before)
    compose = button(offer, "Compose")
    assert (compose["action_id"], compose["value"]) == ("form.open", "announcements.compose|")
    assert not fake.to("views.open")
    await press(slack, fake, ADA, compose, message_ts=fake.history[f"D{ADA}"][-1]["ts"])
    (opened,) = await fake.wait_for("views.open")
    view = opened["view"]
    assert view["callback_id"] == "announcements.compose"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == list(VALUES)

    bad = submission(ADA, view, {**VALUES, "body": "Hi {{ person.nickname }}"})
    answer = await (await slack.interaction(bad)).json()
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"body"}

    before = len(fake.to("chat.postMessage"))
    response = await slack.interaction(submission(ADA, view, VALUES))
    assert (await response.text()) == ""  # valid: the modal closes, the preview comes in the DM
    preview = await answer_after(fake, f"D{ADA}", before)
    assert fake.to("conversations.open")[-1]["users"] == ADA  # a modal has no channel
    shown = all_text(preview)
    assert "Hi Ada, Compass reads *.xlsx* files now. &lt;!channel&gt;" in shown  # inert, her own name
    assert "*Recipients*\\n3" in shown and "*Unreachable now*\\n1" in shown
    confirm = button(preview, "Confirm and send")
    assert confirm["action_id"] == "announcement.confirm"
    preview_ts = fake.history[f"D{ADA}"][-1]["ts"]

    await press(slack, fake, ADA, confirm, message_ts=preview_ts)
    (confirmed,) = await fake.wait_for("chat.update")
    assert (confirmed["channel"], confirmed["ts"]) == (f"D{ADA}", preview_ts)  # the preview is replaced
    assert f"Confirmed. Announcement {confirm['value']} goes to 3 people" in all_text(confirmed)

    # Not critical: each recipient gets it in their own working hours, spaced by the attention policy.
    await run_until(slack_runtime, clock, start + timedelta(hours=4, minutes=59))  # 08:59 in New York
    key = f"announcement:{confirm['value']}:person:"
    assert not proactive(fake, f"D{BOB}", key), "Bob's working day has not started"
    await run_until(slack_runtime, clock, start + timedelta(days=1))
    (to_carol,) = proactive(fake, f"D{CAROL}", key)
    assert "Hi Carol, Compass reads *.xlsx* files now." in all_text(to_carol)
    (to_bob,) = proactive(fake, f"D{BOB}", key)
    assert "Hi Bob, Compass reads *.xlsx* files now. &lt;!channel&gt;" in all_text(to_bob)
    assert to_bob["metadata"]["event_type"] == "coach_outbox"
    got_it = button(to_bob, "Got it")
    assert (got_it["action_id"], got_it["value"]) == ("announcement.ack", confirm["value"])

    # Got it: the announcement itself shows the thanks instead of the button; a second click changes
    # nothing and says so to Bob alone.
    before = len(fake.to("chat.postMessage"))
    bob_ts = ts_of(fake, f"D{BOB}", outbox_key(to_bob))
    await press(slack, fake, BOB, got_it, message_ts=bob_ts)
    await fake.wait_for_call(lambda: [u for u in fake.to("chat.update") if u["channel"] == f"D{BOB}"])
    (acknowledged_post,) = [u for u in fake.to("chat.update") if u["channel"] == f"D{BOB}"]
    assert acknowledged_post["ts"] == bob_ts
    assert "Thanks, Bob: noted that you've read it." in all_text(acknowledged_post)
    assert "Hi Bob, Compass reads *.xlsx* files now." in all_text(acknowledged_post)
    assert [e["text"]["text"] for e in buttons(acknowledged_post)] == ["I have a question"]
    await press(slack, fake, BOB, got_it, message_ts=bob_ts)
    (note,) = await fake.wait_for("chat.postEphemeral")
    assert (note["channel"], note["user"]) == (f"D{BOB}", BOB)
    assert "Already recorded: *Got it*" in all_text(note)
    first, again = [u for u in fake.to("chat.update") if u["channel"] == f"D{BOB}"]
    assert again["blocks"] == first["blocks"]  # put right again, not changed
    assert len(fake.to("chat.postMessage")) == before  # nothing posted twice

    before = len(fake.to("chat.postMessage"))
    await slack.dm(ADA, f"announcement {confirm['value']}", event_id="EvReport")
    report = all_text(await answer_after(fake, f"D{ADA}", before))
    assert "*Reached*\\n2 (67%)" in report
    assert "*Acknowledged*\\n1 (50% of those reached)" in report

    def acknowledged(session: Any) -> list[int]:
        rows = session.exec(select(AnnouncementRecipient)).all()
        return [r.person_id for r in rows if r.acknowledged_at is not None]

    assert len(await slack_runtime.store.run(acknowledged)) == 1
