"""Who may announce, what a template error does, critical vs normal at night, cancel, local time, chunks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from adapters.runtime import Runtime
from bot.announcements import delivery
from bot.announcements.models import Announcement, AnnouncementState
from bot.events import Clicked, Place
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people.models import Person
from bot.ports import FixedClock
from bot.schedule.models import DueWork
from tests.announcements.helpers import (
    ADA,
    DEV,
    KENJI,
    LUCY,
    MARIA,
    UMA,
    button,
    click,
    compose,
    say,
    text_of,
    texts,
)
from tests.programmes.harness import RecordingSender, actor, run_until

THREE = "kenji@example.com, lucy@example.com, maria@example.com"


@pytest.fixture
def sender(runtime: Runtime, clock: FixedClock) -> RecordingSender:
    recording = RecordingSender(clock)
    runtime.dispatcher.senders["local"] = recording
    return recording


def outbox_rows(runtime: Runtime, prefix: str = "announcement:") -> list[OutboxMessage]:
    return list(
        runtime.store.run_sync(
            lambda s: s.exec(
                select(OutboxMessage).where(col(OutboxMessage.idempotency_key).startswith(prefix))
            ).all()
        )
    )


def sent_to(sender: RecordingSender, who: str) -> list:  # type: ignore[type-arg]
    return [r for r in sender.to(who) if ":person:" in r.key]


async def everyone_says_hi(runtime: Runtime) -> None:
    for who in (ADA, DEV, UMA, KENJI, LUCY, MARIA):
        await say(runtime, who, "hi")


async def test_someone_else_is_refused(runtime: Runtime) -> None:
    await say(runtime, UMA, "hi")
    replies = await say(runtime, UMA, "announce")
    assert replies[-1].ephemeral and "Only admins and a system's change communicator" in texts(replies)


async def test_the_change_communicator_may_announce_about_their_system_only(runtime: Runtime) -> None:
    await everyone_says_hi(runtime)
    ok = await compose(runtime, DEV, audience_param=THREE)
    assert "Confirm and send" in str(ok[0].message)
    other = await compose(runtime, DEV, system="contract-review")
    assert other[0].form_errors and "not this system's change communicator" in other[0].form_errors["system"]
    critical = await compose(runtime, DEV, critical="yes")
    assert critical[0].form_errors and "Only admins" in critical[0].form_errors["critical"]


async def test_a_template_error_is_shown_and_never_sent(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await everyone_says_hi(runtime)
    replies = await compose(runtime, ADA, body="Hi {{ person.frist_name }}!")
    assert replies[0].form_errors and "frist_name" in replies[0].form_errors["body"]
    syntax = await compose(runtime, ADA, body="Hi {% for %}")
    assert syntax[0].form_errors and "body" in syntax[0].form_errors
    for unsafe in (
        "{{ person.__class__.__mro__ }}",
        '{{ "x" * 100000000 }}',
        "{% for i in range(9) %}x{% endfor %}",
    ):
        refused = await compose(runtime, ADA, body=unsafe)
        assert refused[0].form_errors and "body" in refused[0].form_errors, unsafe
    await run_until(runtime, clock, clock.now() + timedelta(days=1))
    assert not [r for r in sender.received if r.key.startswith("announcement:")]
    assert runtime.store.run_sync(lambda s: s.exec(select(Announcement)).all()) == []


async def test_person_values_are_escaped(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    trick = actor("trick@example.com", "Europe/London")
    trick = type(trick)(**{**trick.__dict__, "display_name": "[click](http://evil.example) *x*"})
    await say(runtime, trick, "hi")
    await say(runtime, ADA, "hi")
    preview = await compose(runtime, ADA, audience_param="trick@example.com", critical="yes")
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(minutes=5))
    got = sent_to(sender, "trick@example.com")
    assert len(got) == 1 and "Hi \\[click\\]" in got[0].text


async def test_critical_goes_at_once_at_night_normal_waits_for_working_hours(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await everyone_says_hi(runtime)
    await run_until(runtime, clock, clock.now() + timedelta(hours=1))
    clock.at = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # Tuesday night in London
    night = clock.now()
    for critical in ("yes", "no"):
        preview = await compose(
            runtime, ADA, audience_param="uma@example.com", critical=critical, title=f"critical={critical}"
        )
        await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, night + timedelta(days=1))
    got = {r.message.summary: r.at for r in sent_to(sender, UMA.user_id)}
    assert got["Important: critical=yes"] == night
    normal = got["critical=no"].astimezone(ZoneInfo("Europe/London"))
    assert normal.date() == datetime(2026, 11, 25).date() and 9 <= normal.hour < 17


async def test_a_normal_announcement_waits_out_the_holidays_in_systems_yaml(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await everyone_says_hi(runtime)
    await run_until(runtime, clock, clock.now() + timedelta(hours=1))
    clock.at = datetime(2026, 12, 23, 23, 30, tzinfo=UTC)  # before 24, 25 and 28 December, all holidays
    preview = await compose(runtime, ADA, audience_param="uma@example.com", title="after the break")
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, datetime(2026, 12, 31, tzinfo=UTC))
    (got,) = [r.at for r in sent_to(sender, UMA.user_id) if r.message.summary == "after the break"]
    local = got.astimezone(ZoneInfo("Europe/London"))
    assert (local.date(), local.hour) == (datetime(2026, 12, 29).date(), 9)


async def test_cancel_a_scheduled_announcement(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await everyone_says_hi(runtime)
    later = (clock.now() + timedelta(days=1)).isoformat()
    preview = await compose(runtime, ADA, audience_param=THREE, when=later)
    assert "2026-11-24 09:00 UTC" in text_of(preview[0].message)
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    replies = await say(runtime, ADA, "announcement 1 cancel")
    assert "Cancelled announcement 1" in texts(replies)
    await run_until(runtime, clock, clock.now() + timedelta(days=3))
    assert not [r for r in sender.received if ":person:" in r.key]
    report = texts(await say(runtime, ADA, "announcement 1"))
    assert "(cancelled)" in report and "Cancelled: 3" in report


async def test_cancel_a_running_announcement_stops_what_has_not_gone(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await everyone_says_hi(runtime)
    clock.at = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # at night: normal messages wait for morning
    preview = await compose(runtime, ADA, audience_param=THREE)
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await runtime.run_due_work()
    queued = [r for r in outbox_rows(runtime) if ":person:" in r.idempotency_key]
    assert len(queued) == 3 and all(r.state == OutboxState.pending for r in queued)
    await say(runtime, ADA, "announcement 1 cancel")
    assert all(
        r.state == OutboxState.cancelled for r in outbox_rows(runtime) if ":person:" in r.idempotency_key
    )
    await run_until(runtime, clock, clock.now() + timedelta(days=2))
    assert not [r for r in sender.received if ":person:" in r.key]


async def test_local_time_schedule_reaches_each_person_at_their_own_morning(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await everyone_says_hi(runtime)
    preview = await compose(runtime, ADA, audience_param=THREE, when="Wednesday 09:30 local")
    assert "09:30 local time on the next Wed" in text_of(preview[0].message)
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(days=4))
    for who in (KENJI, LUCY, MARIA):
        got = sent_to(sender, who.user_id)
        assert len(got) == 1
        local = got[0].at.astimezone(ZoneInfo(who.timezone or "UTC"))
        assert (local.strftime("%A"), local.hour, local.minute) == ("Wednesday", 9, 30), who.user_id


async def test_fan_out_runs_in_chunks_and_sends_each_once(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "CHUNK", 2)
    await everyone_says_hi(runtime)
    preview = await compose(runtime, ADA, audience_kind="everyone", audience_param="", critical="yes")
    people = runtime.store.run_sync(lambda s: len(s.exec(select(Person)).all()))  # with owners from content
    assert f"Recipients: {people}" in text_of(preview[0].message)
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(hours=1))
    keys = [r.key for r in sender.received if ":person:" in r.key]
    assert len(keys) == 6 and len(set(keys)) == 6  # the six who can be reached
    jobs = runtime.store.run_sync(
        lambda s: s.exec(select(DueWork).where(DueWork.kind == "announcement.fanout")).all()
    )
    assert len(jobs) == people // 2 + 1  # two at a time, and a last look that finds the rest or none
    found = runtime.store.run_sync(lambda s: s.get(Announcement, 1))
    assert found is not None and found.state == AnnouncementState.done and found.fanned_out == people


async def test_unreachable_people_are_counted_and_reached_when_they_arrive(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await everyone_says_hi(runtime)
    preview = await compose(runtime, ADA, audience_param="kenji@example.com, zoe@example.com", critical="yes")
    assert "Recipients: 2" in text_of(preview[0].message) and "Unreachable now: 1" in text_of(
        preview[0].message
    )
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(minutes=10))
    assert len(sent_to(sender, "zoe@example.com")) == 0
    status = [r for r in sender.to(ADA.user_id) if ":status:" in r.key]
    assert "Unreachable: 1" in text_of(status[-1].message)
    await say(runtime, actor("zoe@example.com", "Europe/London"), "hi")
    await run_until(runtime, clock, clock.now() + timedelta(minutes=10))
    assert len(sent_to(sender, "zoe@example.com")) == 1


async def test_status_updates_replace_the_first_status_message(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await everyone_says_hi(runtime)
    preview = await compose(runtime, ADA, audience_param=THREE, critical="yes")
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(minutes=10))
    rows = sorted(outbox_rows(runtime, "announcement:1:status:"), key=lambda r: r.id or 0)
    assert len(rows) >= 2 and rows[0].update_of_key is None
    assert all(r.update_of_key == "announcement:1:status:0" for r in rows[1:])


async def test_changes_lists_versions_and_latecomers_get_the_latest(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await everyone_says_hi(runtime)
    for version in ("compass-2026-12", "compass-2027-01"):
        preview = await compose(
            runtime,
            ADA,
            audience_param="kenji@example.com",
            model_version=version,
            title=f"Compass {version}",
            critical="yes",
        )
        await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
        await run_until(runtime, clock, clock.now() + timedelta(minutes=5))
    listing = texts(await say(runtime, UMA, "changes Compass"))
    assert listing.index("2027") < listing.index("2026\\-12")

    def latecomer(session):  # type: ignore[no-untyped-def]
        from bot.people import service as people

        person = people.by_email(session=session, email=UMA.user_id)
        assert person is not None
        return [
            delivery.send_latest_to(
                session=session,
                person=person,
                system="assistant",
                now=clock.now(),
                content=runtime.content,
                settings=runtime.settings,
            )
            for _ in range(2)
        ]

    assert runtime.store.run_sync(latecomer) == [True, False]
    await run_until(runtime, clock, clock.now() + timedelta(days=2))
    got = sent_to(sender, UMA.user_id)
    assert [r.message.summary for r in got] == ["Important: Compass compass-2027-01"]


async def test_a_newcomer_hears_the_latest_change_once_when_enrolled(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    """Programmes plan it with the newcomer's steps; announcements' due work sends it."""
    await everyone_says_hi(runtime)
    preview = await compose(runtime, ADA, audience_param="kenji@example.com", critical="yes")
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(minutes=5))
    newcomer = actor("nia@example.com", "Europe/London")
    await say(runtime, newcomer, "hi")
    await say(runtime, newcomer, "hi")
    await run_until(runtime, clock, clock.now() + timedelta(days=2))
    assert [r.message.summary for r in sent_to(sender, newcomer.user_id)] == [
        "Important: Compass now reads spreadsheets"
    ]
    assert sent_to(sender, UMA.user_id) == []  # enrolled before it, and not in its audience


async def test_reporters_audience_resolves_even_with_no_reports(runtime: Runtime) -> None:
    await everyone_says_hi(runtime)
    preview = await compose(runtime, ADA, audience_kind="reporters", audience_param="assistant")
    assert "Recipients: 0" in text_of(preview[0].message)


async def test_a_channel_audience_is_one_post_and_clicks_there_count(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await everyone_says_hi(runtime)
    preview = await compose(
        runtime, ADA, system="none", model_version="", audience_kind="channel", audience_param="general"
    )
    assert "Recipients: 1" in text_of(preview[0].message)
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await run_until(runtime, clock, clock.now() + timedelta(minutes=5))
    posts = [r for r in sender.received if r.key == "announcement:1:channel"]
    assert len(posts) == 1 and posts[0].user == "None"  # a channel address, not a person's
    got_it = button(posts[0].message, "Got it")
    general = Place("local", "local", "general", False, address={"channel": "general"})
    for who in (KENJI, LUCY):  # in the channel, where the post is
        (thanks,) = await runtime.engine.handle(Clicked(who, general, got_it.action_id, got_it.value))
        assert thanks.ephemeral and not thanks.replace_source  # the post is everyone's: it stays
    assert "Acknowledged: 2" in texts(await say(runtime, ADA, "announcement 1"))


async def test_a_moment_with_no_utc_equivalent_is_a_field_error(runtime: Runtime) -> None:
    await say(runtime, ADA, "hi")
    for when in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        (reply,) = await compose(runtime, ADA, when=when)
        assert reply.form_errors == {"when": "That moment is out of range."}, texts([reply])
