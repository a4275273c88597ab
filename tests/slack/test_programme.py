"""A programme over signed Slack requests: first DM → enrolled → steps delivered by the clock through
the outbox → Done, Snooze, a modal answer, a scale answer, `/coach stop`; asserting on Web API calls."""

from __future__ import annotations

import contextlib
import itertools
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from adapters.runtime import Runtime
from bot.config import Settings
from bot.people.models import Identity
from bot.ports import FixedClock
from bot.programmes.models import PulseAnswer
from tests.conftest import postgres_url
from tests.fakes.slack_api import FakeSlackApi, landed
from tests.programmes.harness import run_until
from tests.slack.conftest import BOB, SlackClient, fixture
from tests.slack.test_flows import all_text, click

DM = f"D{BOB}"
_triggers = itertools.count(1)


@pytest.fixture
def slack_settings(slack_settings: Settings) -> Settings:
    # The test drives due work itself (run_until); the server's own ticker must not race it.
    return slack_settings.model_copy(update={"tick_seconds": 3600.0})


@pytest.fixture(autouse=True)
def explicit_outbox(slack_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox is drained by run_due_work (through the real SlackSender), not a background loop,
    so that after each jump of the clock everything due has reached the fake Web API."""

    async def no_background(**_kwargs: Any) -> None:
        return None

    monkeypatch.setattr(slack_runtime.dispatcher, "run_forever", no_background)


# --- helpers shared with the announcement test ------------------------------------------------------


def outbox_key(post: dict[str, Any]) -> str:
    return str(((post.get("metadata") or {}).get("event_payload") or {}).get("key") or "")


def proactive(fake: FakeSlackApi, channel: str, prefix: str) -> list[dict[str, Any]]:
    """The outbox's posts to a channel whose idempotency key starts with `prefix`."""
    return [
        p for p in fake.to("chat.postMessage") if landed(p) == channel and outbox_key(p).startswith(prefix)
    ]


def ts_of(fake: FakeSlackApi, channel: str, key: str) -> str:
    """The ts Slack gave the post carrying this idempotency key (what a click on it reports)."""
    for message in fake.history[channel]:
        if (message.get("metadata") or {}).get("event_payload", {}).get("key") == key:
            return str(message["ts"])
    raise AssertionError(f"no message with key {key} in {channel}")


def buttons(post: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]


def button(post: dict[str, Any], label: str) -> dict[str, Any]:
    found = [e for e in buttons(post) if e["text"]["text"] == label]
    assert found, f"no {label!r} button in {[e['text']['text'] for e in buttons(post)]}"
    return found[0]


async def press(
    slack: SlackClient, fake: FakeSlackApi, user: str, element: dict[str, Any], *, message_ts: str
) -> None:
    """Click a rendered button in the user's DM, as Slack reports it (each click has a new trigger)."""
    body = click(user, action_id=element["action_id"], value=element.get("value", ""), message_ts=message_ts)
    body["trigger_id"] = f"trigger.{next(_triggers)}"
    body["response_url"] = fake.response_url(f"click-{user}")
    assert (await slack.interaction(body)).status == 200


async def answer_after(fake: FakeSlackApi, channel: str, before: int) -> dict[str, Any]:
    """The next chat.postMessage to `channel` after `before` posts (replies come after the ack)."""
    posts = await fake.wait_for("chat.postMessage", before + 1)
    mine = [p for p in posts[before:] if p["channel"] == channel]
    assert mine, f"no answer in {channel}: {posts[before:]}"
    return mine[0]


def submission(user: str, view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """A view_submission for a modal the app opened, with `values` typed or chosen in its inputs."""
    body = fixture("view_submission.json")
    body["user"]["id"] = user
    body["trigger_id"] = f"trigger.{next(_triggers)}"
    body["view"].update(callback_id=view["callback_id"], private_metadata=view["private_metadata"])
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input" or block["block_id"] not in values:
            continue
        element, value = block["element"], values[block["block_id"]]
        if element["type"] == "static_select":
            entry: dict[str, Any] = {"type": "static_select", "selected_option": {"value": value}}
        else:
            entry = {"type": element["type"], "value": value}
        state[block["block_id"]] = {element["action_id"]: entry}
    assert set(state) == set(values), f"no inputs for {set(values) - set(state)}"
    body["view"]["state"]["values"] = state
    return body


def command(user: str, text: str, fake: FakeSlackApi) -> dict[str, str]:
    fields: dict[str, str] = fixture("slash_command.fields.json")
    fields.update(
        command="/coach", text=text, user_id=user, channel_id=f"D{user}", channel_name="directmessage",
        response_url=fake.response_url(f"cmd-{text}"), trigger_id=f"trigger.{next(_triggers)}",
    )  # fmt: skip
    return fields


# --- the programme -----------------------------------------------------------------------------------


async def days_until_step(
    runtime: Runtime, clock: FixedClock, fake: FakeSlackApi, step: str, *, within_days: int = 21
) -> dict[str, Any]:
    """Run the clock a day at a time until the step reaches Bob's DM; its post."""
    for _ in range(within_days):
        found = [p for p in proactive(fake, DM, "programme:") if outbox_key(p).split(":")[2] == step]
        if found:
            return found[0]
        await run_until(runtime, clock, clock.now() + timedelta(days=1))
    raise AssertionError(f"{step} never came; sent: {[outbox_key(p) for p in proactive(fake, DM, '')]}")


async def test_programme_steps_buttons_answers_and_stop_over_slack(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime, clock: FixedClock
) -> None:
    start = clock.now()  # Monday 09:00 UTC: 04:00 for Bob in New York
    await slack.dm(BOB, "hi", event_id="EvFirst")
    await fake.wait_for("chat.postMessage")
    assert not proactive(fake, DM, "programme:"), "nothing proactive before his working day"

    await run_until(slack_runtime, clock, start + timedelta(hours=6))  # 10:00 in New York
    (welcome,) = proactive(fake, DM, "programme:")
    key = outbox_key(welcome)
    enrolment, step = key.split(":")[1:3]
    assert (step, key.split(":")[3]) == ("welcome", "1")
    assert welcome["metadata"]["event_type"] == "coach_outbox"
    assert "Hi Bob" in all_text(welcome)
    assert [(e["action_id"], e.get("value"), e.get("url")) for e in buttons(welcome)] == [
        ("prog.done", f"{enrolment}:welcome:1", None),
        ("link.1", None, "https://compass.example.com"),
        ("prog.snooze", f"{enrolment}:welcome:1", None),
        ("prog.stop", f"{enrolment}:welcome:1", None),
    ]
    assert [e["text"]["text"] for e in buttons(welcome)][:2] == ["Got it", "Open Compass"]
    welcome_ts = ts_of(fake, DM, key)

    # Got it: the welcome itself shows it (chat.update), its button gone; a second click says so, to Bob
    # alone, and changes nothing.
    before = len(fake.to("chat.postMessage"))
    await press(slack, fake, BOB, button(welcome, "Got it"), message_ts=welcome_ts)
    (done,) = await fake.wait_for("chat.update")
    assert (done["channel"], done["ts"]) == (DM, welcome_ts)
    assert "*Got it*: nice one, marked as done." in all_text(done) and "Hi Bob" in all_text(done)
    assert [e["text"]["text"] for e in buttons(done)] == ["Open Compass", "Snooze", "Stop these messages"]
    await press(slack, fake, BOB, button(welcome, "Got it"), message_ts=welcome_ts)
    (note,) = await fake.wait_for("chat.postEphemeral")
    assert (note["channel"], note["user"]) == (DM, BOB) and "Already recorded: *Got it*" in all_text(note)
    done, again = await fake.wait_for("chat.update", 2)
    assert again["blocks"] == done["blocks"]
    assert len(fake.to("chat.postMessage")) == before

    await press(slack, fake, BOB, button(done, "Snooze"), message_ts=welcome_ts)
    choices = await answer_after(fake, DM, before)
    assert "Snooze until when?" in all_text(choices)
    assert [(e["action_id"].split("#")[0], e["value"]) for e in buttons(choices)] == [
        ("prog.snooze.choice", "hour"),
        ("prog.snooze.choice", "tomorrow"),
        ("prog.snooze.choice", "next_week"),
    ]
    choices_ts = fake.history[DM][-1]["ts"]
    await press(slack, fake, BOB, button(choices, "Until tomorrow at 09:00"), message_ts=choices_ts)
    *_, snoozed = await fake.wait_for("chat.update", 3)
    assert snoozed["ts"] == choices_ts  # the question turns into its answer
    assert "I'll stay quiet until tomorrow at 09:00 your time." in all_text(snoozed)

    # Nothing more today; the next step comes no earlier than Tuesday 09:00 in New York (14:00 UTC).
    await run_until(slack_runtime, clock, start + timedelta(days=1, hours=4, minutes=59))
    assert len(proactive(fake, DM, "programme:")) == 1

    # A number question: its Answer button opens a modal; the answer shows on the question's message.
    minutes = await days_until_step(slack_runtime, clock, fake, "minutes-saved")
    answer = button(minutes, "Answer")
    assert (answer["action_id"], answer["value"]) == ("prog.answer.open", f"{enrolment}:minutes-saved:1")
    minutes_ts = ts_of(fake, DM, outbox_key(minutes))
    await press(slack, fake, BOB, answer, message_ts=minutes_ts)
    (opened,) = await fake.wait_for("views.open")
    view = opened["view"]
    assert (view["callback_id"], view["private_metadata"]) == (
        "programme.answer",
        f"{enrolment}:minutes-saved:1",
    )
    before = len(fake.to("chat.postMessage"))
    response = await slack.interaction(submission(BOB, view, {"answer": "900"}))
    assert (await response.json())["errors"] == {"answer": "A number from 0 to 600."}
    response = await slack.interaction(submission(BOB, view, {"answer": "1e308"}))
    assert (await response.json())["errors"] == {"answer": "A number from 0 to 600."}
    response = await slack.interaction(submission(BOB, view, {"answer": "30"}))
    assert (await response.text()) == ""  # valid: the modal closes
    await slack_runtime.run_due_work()  # the update goes through the outbox
    (answered,) = [u for u in fake.to("chat.update") if u["ts"] == minutes_ts]
    assert "Thanks, noted: *30*" in all_text(answered) and "Answer" not in str(buttons(answered))
    assert len(fake.to("chat.postMessage")) == before

    # A scale question: one button per answer; a forged value is refused.
    usefulness = await days_until_step(slack_runtime, clock, fake, "usefulness")
    scale = [e for e in buttons(usefulness) if e["action_id"].startswith("prog.answer")]
    assert [e["value"] for e in scale] == [f"{enrolment}:usefulness:1:{n}" for n in range(1, 6)]
    usefulness_ts = ts_of(fake, DM, outbox_key(usefulness))
    forged = {**button(usefulness, "4"), "value": f"{enrolment}:usefulness:1:1e308"}
    before = len(fake.to("chat.postMessage"))
    await press(slack, fake, BOB, forged, message_ts=usefulness_ts)
    assert "That answer is not one of the options." in all_text(await answer_after(fake, DM, before))
    await press(slack, fake, BOB, button(usefulness, "4"), message_ts=usefulness_ts)
    (rated,) = await fake.wait_for_call(
        lambda: [u for u in fake.to("chat.update") if u["ts"] == usefulness_ts]
    )
    assert "Thanks, noted: *4*" in all_text(rated)
    assert [e["text"]["text"] for e in buttons(rated)] == ["Snooze", "Something's not working"]

    def answers(session: Any) -> set[tuple[str, str, float | None]]:
        rows = session.exec(select(PulseAnswer)).all()
        return {(r.step_key, r.question_key, r.number) for r in rows}

    assert await slack_runtime.store.run(answers) == {
        ("minutes-saved", "minutes_saved", 30.0),
        ("usefulness", "usefulness", 4.0),
    }

    # `/coach stop`: the answer comes through the command's response_url, and no step follows.
    assert (await slack.command(command(BOB, "stop", fake))).status == 200
    (stopped,) = await fake.wait_for("response_url")
    assert stopped["response_type"] == "ephemeral"
    assert "no more programme messages" in all_text(stopped)
    sent_before_stop = len(proactive(fake, DM, "programme:"))
    await run_until(slack_runtime, clock, clock.now() + timedelta(days=30))
    assert len(proactive(fake, DM, "programme:")) == sent_before_stop

    # `/coach start` shows the steps were held, not dropped.
    await slack.command(command(BOB, "start", fake))
    await fake.wait_for("response_url", 2)
    await run_until(slack_runtime, clock, clock.now() + timedelta(days=10))
    assert len(proactive(fake, DM, "programme:")) > sent_before_stop


async def test_a_person_met_in_a_channel_gets_steps_in_their_dm_without_opening_it(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime, clock: FixedClock
) -> None:
    mention = fixture("event_app_mention.json")
    mention["event"].update(user=BOB, text="<@UBOT> hi")
    await slack.event(mention)  # no DM with Bob yet: the coach does not know his DM channel
    await fake.wait_for("chat.postMessage")
    assert not fake.to("conversations.open")

    await run_until(slack_runtime, clock, clock.now() + timedelta(hours=6))
    (welcome,) = proactive(fake, DM, "programme:")
    assert outbox_key(welcome).split(":")[2] == "welcome"
    assert welcome["channel"] == BOB and not fake.to("conversations.open")  # no Tier 3 call per person

    def address(session: Session) -> dict[str, Any]:
        identity = session.exec(select(Identity).where(Identity.user_id == BOB)).one()
        return dict(identity.address)

    # The DM's channel id Slack answered with is kept: updates and look-backs use it, after a restart too.
    assert (await slack_runtime.store.run(address))["channel"] == DM


@pytest.mark.skipif(postgres_url() is None, reason="SQLite serialises writers: the race needs PostgreSQL")
async def test_two_people_writing_first_at_the_same_moment_are_both_enrolled(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime, clock: FixedClock
) -> None:
    carol = "UCAROL"
    fake.add_user(carol, email="carol@example.com", name="Carol", tz="America/New_York")
    both_inserting = threading.Barrier(2)

    def meet(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO PROGRAMME_VERSION"):
            # Each turn has read "no such version yet": now both insert it at once.
            with contextlib.suppress(threading.BrokenBarrierError):  # a fix may insert only once
                both_inserting.wait(timeout=10)

    engine = slack_runtime.store.database
    event.listen(engine, "before_cursor_execute", meet)
    try:
        await slack.dm(BOB, "hi", event_id="EvBob")
        await slack.dm(carol, "hi", event_id="EvCarol")
        for user in (BOB, carol):  # each turn's first answer: the welcome, or an apology if it failed
            while not [p for p in fake.to("chat.postMessage") if landed(p) == f"D{user}"]:
                await fake.wait_for("chat.postMessage", len(fake.to("chat.postMessage")) + 1)
    finally:
        event.remove(engine, "before_cursor_execute", meet)
    firsts = [next(p for p in fake.to("chat.postMessage") if landed(p) == f"D{u}") for u in (BOB, carol)]
    assert all("Welcome" in all_text(p) for p in firsts), [all_text(p) for p in firsts]

    await run_until(slack_runtime, clock, clock.now() + timedelta(hours=6))
    assert proactive(fake, DM, "programme:") and proactive(fake, f"D{carol}", "programme:")
