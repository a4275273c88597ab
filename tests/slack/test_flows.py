"""Every engine flow through signed Slack requests, asserting on the Web API calls made."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlmodel import select

from adapters.runtime import Runtime
from bot.escalations.models import FlagDraft
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people.models import Person
from bot.ports import FixedClock
from tests.fakes.slack_api import Failure, FakeSlackApi
from tests.slack.conftest import ADA, BOB, SlackClient, fixture


def all_text(call: dict[str, Any]) -> str:
    return str(call.get("blocks")) + str(call.get("text"))


def click(user: str, *, action_id: str, value: str, message_ts: str = "1700000000.000001") -> dict[str, Any]:
    body = fixture("block_actions.json")
    body["user"]["id"] = user
    body["container"].update(channel_id=f"D{user}", is_ephemeral=False, message_ts=message_ts)
    body["channel"]["id"] = f"D{user}"
    body["actions"][0].update(action_id=action_id, value=value)
    body["trigger_id"] = f"trigger.{user}.{action_id}"
    return body


def submission(user: str, values: dict[str, str], *, trigger: str) -> dict[str, Any]:
    body = fixture("view_submission.json")
    body["user"]["id"] = user
    body["trigger_id"] = trigger
    body["view"].update(callback_id="people.settings", private_metadata="")
    body["view"]["state"]["values"] = {
        name: {
            name: {"type": "number_input" if name.startswith("workday") else "plain_text_input", "value": v}
        }
        for name, v in values.items()
    }
    return body


async def test_settings_change_button_opens_the_modal(slack: SlackClient, fake: FakeSlackApi) -> None:
    await slack.dm(BOB, "settings", event_id="Ev1")
    posts = await fake.wait_for("chat.postMessage", 2)
    settings = posts[1]
    assert "America/New_York" in all_text(settings)  # the time zone users.info gave
    button = settings["blocks"][-1]["elements"][0]
    assert (button["action_id"], button["value"]) == ("form.open", "people.settings|")

    response = await slack.interaction(click(BOB, action_id="form.open", value="people.settings|"))
    assert response.status == 200
    opened = await fake.wait_for("views.open")
    assert opened[0]["trigger_id"] == f"trigger.{BOB}.form.open"
    view = opened[0]["view"]
    assert view["callback_id"] == "people.settings"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "timezone",
        "workday_start",
        "workday_end",
    ]


async def test_bad_values_keep_the_modal_open_with_errors(slack: SlackClient, fake: FakeSlackApi) -> None:
    values = {"timezone": "Mars/Olympus", "workday_start": "9", "workday_end": "9"}
    response = await slack.interaction(submission(BOB, values, trigger="t1"))
    assert response.status == 200
    answer = await response.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"timezone", "workday_end"}


async def test_valid_values_are_saved(slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime) -> None:
    values = {"timezone": "Asia/Tokyo", "workday_start": "8", "workday_end": "17"}
    response = await slack.interaction(submission(BOB, values, trigger="t2"))
    assert response.status == 200
    assert (await response.text()) == ""  # an empty ack closes the modal
    posts = await fake.wait_for("chat.postMessage", 2)  # welcome (first contact) and "Saved"
    assert "Asia/Tokyo" in all_text(posts[-1])
    assert fake.to("conversations.open")[0]["users"] == BOB  # a modal has no channel: the DM is opened

    def person(session: Any) -> tuple[str | None, int, int]:
        bob = session.exec(select(Person).where(Person.email == "bob@example.com")).one()
        return bob.timezone_override, bob.workday_start, bob.workday_end

    assert await slack_runtime.store.run(person) == ("Asia/Tokyo", 8, 17)


async def test_admin_add_sends_a_proactive_dm_through_the_outbox(
    slack: SlackClient, fake: FakeSlackApi
) -> None:
    mention = fixture("event_app_mention.json")
    mention["event"].update(user=BOB, text="<@UBOT> hi")
    await slack.event(mention)  # Bob is known from a channel: his DM channel is not known yet
    await fake.wait_for("chat.postMessage")  # (and his welcome was ephemeral)

    await slack.dm(ADA, "admins add bob@example.com", event_id="Ev2")
    posts = await fake.wait_for("chat.postMessage", 4)  # + Ada's welcome, her answer, Bob's notice
    notice = next(p for p in posts if p["channel"] == BOB)  # to his user id: Slack finds the DM
    assert fake.to("conversations.open") == []  # no Tier 3 call to open it
    assert "made you an *admin*" in all_text(notice)
    assert notice["metadata"]["event_type"] == "coach_outbox"
    assert notice["metadata"]["event_payload"]["key"].startswith("admin.add:")
    assert any("is now an admin" in all_text(p) for p in posts if p["channel"] == f"D{ADA}")


async def test_a_rate_limited_send_is_retried_later_not_lost(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime, clock: FixedClock
) -> None:
    await slack.dm(BOB, "hi", event_id="Ev1")
    await fake.wait_for("chat.postMessage", 2)
    fake.fail_next("chat.postMessage", Failure(status=429, retry_after=2, channel=f"D{BOB}"))

    await slack.dm(ADA, "admins add bob@example.com", event_id="Ev2")
    limited = await wait_for_row(slack_runtime, lambda row: row.last_error is not None)
    assert limited.state == OutboxState.pending
    assert "rate limit" in (limited.last_error or "")
    assert (limited.next_attempt_at - clock.now()).total_seconds() == 2
    assert limited.attempts == 0  # a rate limit is not an attempt

    clock.advance(seconds=3)
    slack_runtime.dispatcher.wake()
    sent = await wait_for_row(slack_runtime, lambda row: row.state == OutboxState.sent)
    assert sent.attempts == 1
    notices = [p for p in fake.to("chat.postMessage") if "made you an" in all_text(p)]
    assert len(notices) == 1


async def wait_for_row(runtime: Runtime, check: Any, *, within: float = 10.0) -> OutboxMessage:
    deadline = time.monotonic() + within
    while True:
        rows = await runtime.store.run(
            lambda s: [_detached(s, r) for r in s.exec(select(OutboxMessage)).all()]
        )
        for row in rows:
            if check(row):
                return row
        assert time.monotonic() < deadline, f"no outbox row matched; rows: {rows}"
        await asyncio.sleep(0.02)


def _detached(session: Any, row: OutboxMessage) -> OutboxMessage:
    session.expunge(row)
    return row


async def test_a_global_shortcut_opens_its_form(slack: SlackClient, fake: FakeSlackApi) -> None:
    body = fixture("shortcut_global.json")
    body["user"]["id"] = BOB
    body["callback_id"] = "friction.report"
    response = await slack.interaction(body)
    assert response.status == 200
    (opened,) = await fake.wait_for("views.open")
    assert opened["trigger_id"] == body["trigger_id"]
    assert opened["view"]["callback_id"] == "friction.report"


async def test_a_message_shortcut_opens_the_flag_form_with_the_output_kept(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    body = fixture("shortcut_message_action.json")
    body["user"]["id"] = BOB
    body["callback_id"] = "flag.message"
    body["message"]["text"] = "The model says <!channel> &lt;b&gt; is 42"
    await slack.interaction(body)
    (link,) = await fake.wait_for("chat.getPermalink")
    assert (link["channel"], link["message_ts"]) == ("C111", "1583636382.000300")
    (opened,) = await fake.wait_for("views.open")
    view = opened["view"]
    assert opened["trigger_id"] == body["trigger_id"]
    assert view["private_metadata"] == "draft:1"  # the output and its link wait on the server
    assert "> The model says &lt;!channel&gt; &lt;b&gt; is 42" in str(view["blocks"])  # shown, inert
    draft = slack_runtime.store.run_sync(lambda s: s.get(FlagDraft, 1))
    assert draft is not None and draft.output_text == "The model says <!channel> <b> is 42"  # as written
    assert draft.source_link == "https://fake.slack.test/archives/C111/p1583636382000300"


async def test_an_unknown_shortcut_is_answered_in_the_dm(slack: SlackClient, fake: FakeSlackApi) -> None:
    body = fixture("shortcut_global.json")
    body["user"]["id"] = BOB
    body["callback_id"] = "nothing.here"
    await slack.interaction(body)
    posts = await fake.wait_for("chat.postMessage")
    assert "know that shortcut" in all_text(posts[-1])
    assert posts[-1]["channel"] == f"D{BOB}"


async def test_outcomes_for_admins_and_a_clear_no_for_others(slack: SlackClient, fake: FakeSlackApi) -> None:
    await slack.dm(ADA, "outcomes", event_id="Ev1")
    report = await fake.wait_for_post("Outcomes: the last 4 weeks")
    assert report["channel"] == f"D{ADA}" and report["text"] == "Outcomes: the last 4 weeks"
    header = {"type": "header", "text": {"type": "plain_text", "text": report["text"], "emoji": True}}
    assert report["blocks"][0] == header
    assert "*Compass* (assistant)" in all_text(report) and "*Active users*: 0 in the last 7 days" in all_text(
        report
    )

    await slack.dm(BOB, "outcomes", event_id="Ev2")
    refused = await fake.wait_for_post("Only system owners and admins")
    assert refused["channel"] == f"D{BOB}"
    await slack.dm(ADA, "outcomes <!channel> weeks 3", event_id="Ev3")
    unknown = all_text(await fake.wait_for_post("know the system"))
    assert "&lt;!channel&gt;" in unknown and "<!channel>" not in unknown  # never pings the channel
