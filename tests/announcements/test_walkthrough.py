"""Issue #8's "done when": an admin announces to three people with acknowledgement required; each gets
it once and acknowledges or asks; the question reaches the change communicator; the author sees live
status and the final report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.runtime import Runtime
from bot.ownership import service as ownership
from bot.ports import FixedClock
from tests.announcements.helpers import (
    ADA,
    DEV,
    KENJI,
    LUCY,
    MARIA,
    button,
    click,
    compose,
    open_form,
    say,
    submit,
    text_of,
    texts,
)
from tests.programmes.harness import RecordingSender, actor, run_until


@pytest.fixture
def sender(runtime: Runtime, clock: FixedClock) -> RecordingSender:
    recording = RecordingSender(clock)
    runtime.dispatcher.senders["local"] = recording
    return recording


def announcements_to(sender: RecordingSender, user: str) -> list:  # type: ignore[type-arg]
    return [r for r in sender.to(user) if ":person:" in r.key]


async def test_admin_announces_to_three_people_who_acknowledge_or_ask(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    for who in (ADA, DEV, KENJI, LUCY, MARIA):
        await say(runtime, who, "hi")

    preview = await compose(runtime, ADA)
    shown = text_of(preview[0].message)
    assert "Hi Ada, from today Compass reads" in shown  # rendered as the author would see it
    assert "Recipients: 3" in shown and "Unreachable now: 0" in shown
    confirmed = await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    assert "goes to 3 people" in texts(confirmed)

    await run_until(runtime, clock, clock.now() + timedelta(days=2))
    for who in (KENJI, LUCY, MARIA):
        got = announcements_to(sender, who.user_id)
        assert len(got) == 1, f"{who.user_id} got {len(got)}"
        assert f"Hi {who.display_name}," in got[0].text
    model = runtime.store.run_sync(lambda s: ownership.model_version(session=s, system="assistant"))
    assert model == "compass-2026-12"

    kenji_msg = announcements_to(sender, KENJI.user_id)[0].message
    assert "noted" in texts(await click(runtime, KENJI, button(kenji_msg, "Got it")))
    await click(runtime, KENJI, button(kenji_msg, "Got it"))  # twice counts once
    await click(runtime, LUCY, button(announcements_to(sender, LUCY.user_id)[0].message, "Got it"))
    maria_msg = announcements_to(sender, MARIA.user_id)[0].message
    form = await open_form(runtime, MARIA, button(maria_msg, "I have a question"))
    await submit(runtime, MARIA, form, {"question": "Does it read .xls too?"})
    await run_until(runtime, clock, clock.now() + timedelta(days=2))

    to_dev = [r for r in sender.to(DEV.user_id) if r.key.startswith("announcement-question:")]
    assert to_dev and "Does it read .xls too?" in text_of(to_dev[0].message) + str(to_dev[0].message)
    answer_form = await open_form(runtime, DEV, button(to_dev[0].message, "Answer"))
    await submit(runtime, DEV, answer_form, {"answer": "Not yet; .xlsx only."})
    await run_until(runtime, clock, clock.now() + timedelta(hours=1))
    answers = [r for r in sender.to(MARIA.user_id) if r.key.endswith(":answer")]
    assert len(answers) == 1 and "Not yet; .xlsx only." in str(answers[0].message)

    status = [r for r in sender.to(ADA.user_id) if ":status:" in r.key]
    assert len(status) >= 2  # the first message, then updates replacing it
    final = text_of(status[-1].message)
    assert "Sent: 3" in final and "Acknowledged: 2" in final and "Questions: 1" in final
    assert "Pending: 0" in final

    report = texts(await say(runtime, ADA, "announcement 1"))
    assert "Reached: 3 (100%)" in report and "Acknowledged: 2" in report and "Questions: 1" in report
    csv = str((await say(runtime, ADA, "announcement 1 csv"))[0].message)
    assert "kenji@example.com" in csv and "maria@example.com" in csv
    listing = texts(await say(runtime, ADA, "announcements"))
    assert "Compass now reads spreadsheets" in listing and "3/3 sent" in listing
    changes = texts(await say(runtime, KENJI, "changes assistant"))
    assert "compass\\-2026\\-12" in changes or "compass-2026-12" in changes


async def test_an_unanswered_question_reminds_the_communicator_and_backup_after_its_sla(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    bea = actor("bea@example.com", "Europe/London")  # Compass's change communicator backup
    for who in (ADA, DEV, bea, MARIA):
        await say(runtime, who, "hi")
    preview = await compose(runtime, ADA, audience_param="maria@example.com", critical="yes")
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(minutes=5))
    form = await open_form(
        runtime, MARIA, button(announcements_to(sender, MARIA.user_id)[0].message, "I have a question")
    )
    await submit(runtime, MARIA, form, {"question": "Which files?"})
    asked = clock.now()
    await run_until(runtime, clock, asked + timedelta(days=1))
    reminders = [r for r in sender.received if ":reminder:" in r.key]
    assert {r.user for r in reminders} == {DEV.user_id, bea.user_id}
    assert all(
        r.at >= asked + timedelta(hours=4) for r in reminders
    )  # Compass acknowledges in 4 working hours
    assert "past its SLA" in str(reminders[0].message)


async def test_questions_and_answers_over_their_limits_are_refused_where_they_arrive(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    """#13: the forms' limits were the clients' business only; and the answer form cut the question."""
    from bot.announcements.reader_flows import ANSWER_MAX, QUESTION_MAX

    for who in (ADA, DEV, MARIA):
        await say(runtime, who, "hi")
    preview = await compose(runtime, ADA, audience_param="maria@example.com", critical="yes")
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(minutes=10))
    form = await open_form(runtime, MARIA, button(announcements_to(sender, MARIA.user_id)[0].message, "I have a question"))
    long = ("Does it read the old .xls files from the archive too? " * 60)[:QUESTION_MAX + 1]
    refused = await submit(runtime, MARIA, form, {"question": long})
    assert refused[0].form_errors == {
        "question": f"Up to {QUESTION_MAX:,} characters, please (this is {QUESTION_MAX + 1:,}); nothing was sent."
    }
    await submit(runtime, MARIA, form, {"question": long[:QUESTION_MAX]})
    await run_until(runtime, clock, clock.now() + timedelta(hours=1))
    (notice,) = [r for r in sender.to(DEV.user_id) if r.key.startswith("announcement-question:")]
    answer_form = await open_form(runtime, DEV, button(notice.message, "Answer"))
    assert answer_form.intro is not None and "…" in answer_form.intro and "quotes all of it" in answer_form.intro
    refused = await submit(runtime, DEV, answer_form, {"answer": "x" * (ANSWER_MAX + 1)})
    assert refused[0].form_errors is not None and f"Up to {ANSWER_MAX:,}" in refused[0].form_errors["answer"]
    await submit(runtime, DEV, answer_form, {"answer": "Yes, .xls too."})
    await run_until(runtime, clock, clock.now() + timedelta(hours=1))
    assert [r for r in sender.to(MARIA.user_id) if r.key.endswith(":answer")]
