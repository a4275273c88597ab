from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, select

from adapters.runtime import Runtime
from bot.events import Actor, Clicked, Place, Said, Submitted
from bot.messages import Facts, Reply, Text
from bot.people.models import Person
from bot.routing import Command
from bot.turn import Turn

ADA = Actor(
    "local",
    "local",
    "ada@example.com",
    display_name="Ada Admin",
    email="ada@example.com",
    address={"user": "ada@example.com"},
)
UMA = Actor(
    "local",
    "local",
    "uma@example.com",
    display_name="Uma User",
    email="uma@example.com",
    address={"user": "uma@example.com"},
)


def dm(actor: Actor) -> Place:
    return Place("local", "local", f"dm:{actor.user_id}", True, address=actor.address)


def texts(replies: list[Reply]) -> str:
    return "\n".join(
        b.markdown for r in replies if r.message for b in r.message.blocks if isinstance(b, Text)
    )


async def test_first_contact_welcomes_then_answers(runtime: Runtime) -> None:
    first = await runtime.engine.handle(Said(UMA, dm(UMA), "help"))
    assert "Welcome, Uma" in texts(first)
    again = await runtime.engine.handle(Said(UMA, dm(UMA), "help"))
    assert "Welcome" not in texts(again)
    assert "`settings`" in texts(again)
    assert "`admins" not in texts(again)  # not an admin


async def test_nonsense_gets_help_and_typos_get_a_suggestion(runtime: Runtime) -> None:
    await runtime.engine.handle(Said(UMA, dm(UMA), "hi"))
    assert "Did you mean `settings`" in texts(await runtime.engine.handle(Said(UMA, dm(UMA), "setings")))
    assert "Type `help`" in texts(await runtime.engine.handle(Said(UMA, dm(UMA), "qwertyuiop zxcv")))


async def test_admin_only_commands_are_refused_to_users(runtime: Runtime) -> None:
    await runtime.engine.handle(Said(UMA, dm(UMA), "hi"))
    replies = await runtime.engine.handle(Said(UMA, dm(UMA), "admins add uma@example.com"))
    assert replies[0].ephemeral
    assert "Only admins" in texts(replies)


async def test_unexpected_errors_show_a_reference_never_a_traceback(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_turn: Turn, _rest: str) -> list[Reply]:
        raise RuntimeError("secret internals")

    runtime.engine.router.command(Command("boom", "breaks", broken))
    with caplog.at_level(logging.ERROR):
        replies = await runtime.engine.handle(Said(UMA, dm(UMA), "boom"))
    text = texts(replies)
    assert "secret internals" not in text and "Traceback" not in text
    reference = text.split("reference: `")[1].split("`")[0]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)


async def test_platform_retries_are_handled_once(runtime: Runtime) -> None:
    event = Said(UMA, dm(UMA), "help", event_id="Ev1")
    assert await runtime.engine.handle(event)
    assert await runtime.engine.handle(event) == []


async def test_settings_form_validates_each_field(runtime: Runtime) -> None:
    await runtime.engine.handle(Said(UMA, dm(UMA), "hi"))
    opened = await runtime.engine.handle(Clicked(UMA, dm(UMA), "form.open", "people.settings|"))
    form = opened[0].form
    assert form is not None and [f.name for f in form.fields] == ["timezone", "workday_start", "workday_end"]
    bad = await runtime.engine.handle(
        Submitted(
            UMA,
            dm(UMA),
            "people.settings",
            {"timezone": "Mars/Base", "workday_start": "9", "workday_end": "9"},
        )
    )
    assert bad[0].form_errors == {
        "timezone": "Use a time zone name such as Europe/Berlin.",
        "workday_end": "Start and end are the same hour; for round the clock use 0 and 24.",
    }
    good = await runtime.engine.handle(
        Submitted(
            UMA,
            dm(UMA),
            "people.settings",
            {"timezone": "Asia/Tokyo", "workday_start": "8", "workday_end": "16"},
        )
    )
    assert "Asia/Tokyo" in texts(good)


async def test_settings_accept_a_night_shift_and_say_what_quiet_hours_leave_of_it(runtime: Runtime) -> None:
    await runtime.engine.handle(Said(UMA, dm(UMA), "hi"))
    saved = await runtime.engine.handle(
        Submitted(
            UMA,
            dm(UMA),
            "people.settings",
            {"timezone": "Europe/Berlin", "workday_start": "18", "workday_end": "9"},
        )
    )
    assert saved[0].form_errors is None
    assert texts(saved) == (
        "Saved: **Europe/Berlin**, 18:00–09:00 the next day.\n"
        "Quiet hours are 20:00–08:00, so I'll write to you 18:00–20:00 and 08:00–09:00."
    )
    shown = await runtime.engine.handle(Said(UMA, dm(UMA), "settings"))
    facts = [b for r in shown if r.message for b in r.message.blocks if isinstance(b, Facts)]
    assert ("Working hours", "18:00–09:00 the next day") in [(f.label, f.value) for f in facts[0].items]


async def test_a_shift_inside_quiet_hours_keeps_the_person_reachable(runtime: Runtime) -> None:
    # Quiet hours 20:00–08:00 would leave nothing of 22–6: the person's own hours win.
    await runtime.engine.handle(Said(UMA, dm(UMA), "hi"))
    saved = await runtime.engine.handle(
        Submitted(
            UMA, dm(UMA), "people.settings", {"timezone": "UTC", "workday_start": "22", "workday_end": "6"}
        )
    )
    assert texts(saved) == "Saved: **UTC**, 22:00–06:00 the next day."
    snoozed = await runtime.engine.handle(Said(UMA, dm(UMA), "snooze tomorrow"))
    assert "until tomorrow at 22:00 your time" in texts(snoozed)  # the clock says Monday 09:00 UTC


async def test_admins_add_sends_a_proactive_message(runtime: Runtime) -> None:
    await runtime.engine.handle(Said(UMA, dm(UMA), "hi"))
    replies = await runtime.engine.handle(Said(ADA, dm(ADA), "admins add uma@example.com"))
    assert "is now an admin" in texts(replies)
    from bot.outbox import service

    rows = runtime.store.run_sync(lambda s: service.listing(session=s, states=list(service.OutboxState)))
    assert len(rows) == 1 and rows[0].address == {"user": "uma@example.com"}


@pytest.mark.parametrize("pattern", ["%", "_%", "U%", "u0kim%", "u_kim"])
async def test_admins_add_matches_people_exactly_never_by_pattern(runtime: Runtime, pattern: str) -> None:
    kim = Actor("slack", "T1", "U0KIM", display_name="Kim", address={"channel": "D1"})
    await runtime.engine.handle(Said(kim, Place("slack", "T1", "D1", True, address=kim.address), "hi"))
    replies = await runtime.engine.handle(Said(ADA, dm(ADA), f"admins add {pattern}"))
    assert "is now an admin" not in texts(replies)
    listing = texts(await runtime.engine.handle(Said(ADA, dm(ADA), "admins")))
    assert "Kim" not in listing and "U0KIM" not in listing
    # the exact id, in any case, still finds Kim
    assert "is now an admin" in texts(await runtime.engine.handle(Said(ADA, dm(ADA), "admins add u0kim")))


async def test_an_email_another_person_already_has_does_not_break_the_one_who_gives_it(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """Kim wrote on Slack before their profile showed an email; meanwhile an admin enrolled that email."""
    kim = Actor("slack", "T1", "U0KIM", display_name="Kim", address={"channel": "D1"})
    place = Place("slack", "T1", "D1", True, address=kim.address)
    await runtime.engine.handle(Said(kim, place, "hi"))
    await runtime.engine.handle(Said(ADA, dm(ADA), "enrol kim@example.com"))
    with_email = Actor(
        "slack", "T1", "U0KIM", display_name="Kim", email="kim@example.com", address=kim.address
    )
    with caplog.at_level(logging.WARNING):
        replies = await runtime.engine.handle(Said(with_email, place, "help"))
        again = await runtime.engine.handle(Said(with_email, place, "help"))
    assert "`settings`" in texts(replies) and "`settings`" in texts(again)  # answered, not "went wrong"
    assert "gave an email that person" in caplog.text and "kim@example.com" not in caplog.text


async def test_someone_known_only_by_email_is_welcomed_on_their_first_message(runtime: Runtime) -> None:
    from bot.people import service as people
    from bot.programmes import service as programmes

    def enrolments(email: str) -> list[str]:
        def query(session: Session) -> list[str]:
            person = people.by_email(session=session, email=email)
            assert person is not None and person.id is not None
            return [e.programme_key for e in programmes.enrolments_of(session=session, person_id=person.id)]

        return runtime.store.run_sync(query)

    omar = actor("omar@example.com")  # named in systems.yaml: known by email before he writes
    first = texts(await runtime.engine.handle(Said(omar, dm(omar), "help")))
    assert "Welcome, Omar" in first and "`readiness`" in first
    assert enrolments("omar@example.com") == []  # an owner: nudges would delay his SLA reminders
    assert "Welcome" not in texts(await runtime.engine.handle(Said(omar, dm(omar), "help")))

    await runtime.engine.handle(Said(ADA, dm(ADA), "enrol zed@example.com programme assistant"))
    zed = actor("zed@example.com")
    assert "Welcome, Zed" in texts(await runtime.engine.handle(Said(zed, dm(zed), "hi")))
    assert enrolments("zed@example.com") == ["assistant"]  # the programme the admin chose, once


def actor(email: str) -> Actor:
    name = email.split("@")[0].title()
    return Actor("local", "local", email, display_name=name, email=email, address={"user": email})


async def test_chat_text_with_nul_characters_is_kept_without_them(runtime: Runtime) -> None:
    """PostgreSQL text cannot hold NUL: the message used to be lost ("nothing was saved")."""
    from tests.friction.helpers import file_report, reports

    zed = Actor("local", "local", "zed@example.com", display_name="Zed\x00 Zero", email="zed@example.com",
                address={"user": "zed@example.com"})  # fmt: skip
    first = await runtime.engine.handle(Said(zed, dm(zed), "help\x00"))
    assert "Welcome, Zed" in texts(first) and "nothing was saved" not in texts(first)
    filed = await file_report(runtime, zed, details="It\x00 broke \ud800 twice", trying_to="Sum\x00marise")
    assert "nothing was saved" not in texts(filed)
    (report,) = reports(runtime)
    assert (report.details, report.trying_to) == ("It broke \ufffd twice", "Summarise")
    names = runtime.store.run_sync(
        lambda s: [p.display_name for p in s.exec(select(Person).where(Person.email == "zed@example.com"))]
    )
    assert names == ["Zed Zero"]
