"""Programme buttons at the engine level: a preview can be clicked through and stays apart from the
enrolment; a choice settles its step message (a second click changes nothing and says so); every answer
is checked where the engine receives it; past answers can be changed."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from adapters.runtime import Runtime
from bot.events import Actor, Clicked, Place, Said, Submitted
from bot.messages import Actions, Button, Message, Reply, Text
from bot.outbox.models import OutboxMessage
from bot.ports import FixedClock
from bot.programmes import messages as m
from bot.programmes.models import Enrolment, PulseAnswer, StepProgress
from tests.conftest import postgres_url
from tests.programmes.harness import RecordingSender, actor, dm, run_until, say

ADA = actor("ada@example.com", "UTC")  # an admin (COACH_ADMINS)
UMA = actor("uma@example.com", "UTC")
OMAR = actor("omar@example.com", "UTC")


@pytest.fixture
def sender(runtime: Runtime, clock: FixedClock) -> RecordingSender:
    recording = RecordingSender(clock)
    runtime.dispatcher.senders["local"] = recording
    return recording


def text_of(message: Message | None) -> str:
    return "\n".join(b.markdown for b in (message.blocks if message else ()) if isinstance(b, Text))


def buttons(message: Message) -> list[Button]:
    return [b for block in message.blocks if isinstance(block, Actions) for b in block.buttons]


def button(message: Message, label: str) -> Button:
    found = [b for b in buttons(message) if b.label == label]
    assert found, f"no {label!r} in {[b.label for b in buttons(message)]}"
    return found[0]


async def press(
    runtime: Runtime, who: Actor, b: Button, *, message_id: str | None = None, value: str | None = None
) -> list[Reply]:
    event = Clicked(who, dm(who), b.action_id, b.value if value is None else value, message_id=message_id)
    return await runtime.engine.handle(event)


def step_key(sender: RecordingSender, user: str, step: str, prefix: str) -> str:
    keys = [
        r.key
        for r in sender.to(user)
        if r.key.startswith(prefix) and r.key.split(":")[2] == step and r.update_of is None
    ]
    assert keys, f"{step} not sent to {user}: {[r.key for r in sender.to(user)]}"
    return keys[-1]


def settled(replies: list[Reply]) -> Message:
    """The one reply to a first click: its message updated in place."""
    (reply,) = replies
    assert reply.replace_source and reply.message is not None and not reply.stale
    return reply.message


def stale(replies: list[Reply]) -> tuple[Message, str]:
    """The replies to a click on a choice made before: the message put right, a private note."""
    update, note = replies
    assert update.replace_source and update.message is not None
    assert note.stale and note.ephemeral and not note.replace_source
    return update.message, text_of(note.message)


async def until_sent(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender, user: str, step: str
) -> str:
    for _ in range(30):
        found = [
            r.key
            for r in sender.to(user)
            if r.key.startswith("programme:") and f":{step}:" in r.key and r.update_of is None
        ]
        if found:
            return found[-1]
        await run_until(runtime, clock, clock.now() + timedelta(days=1))
    raise AssertionError(f"{step} never came")


# --- previews ----------------------------------------------------------------------------------


async def test_a_preview_is_clicked_through_and_kept_apart_from_the_enrolment(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await say(runtime, ADA, "hi")
    assert await say(runtime, ADA, "preview") == []  # in her DM: the preview itself is the answer
    await runtime.run_due_work()
    keys = [r.key for r in sender.to(ADA.user_id) if r.key.startswith("preview:") and r.update_of is None]
    assert len(keys) == 12 and keys[0].endswith(":header")  # the header, then every step in order
    assert "kept with this preview" in text_of(
        sender.received[[r.key for r in sender.received].index(keys[0])].message
    )
    preview_id = keys[1].split(":")[1]

    welcome_key = f"preview:{preview_id}:welcome"
    welcome = sender.shown(welcome_key)
    got_it = button(welcome, "Got it")
    assert (got_it.action_id, got_it.value) == (m.DONE, f"p{preview_id}:welcome:1")
    shown = settled(await press(runtime, ADA, got_it, message_id=sender.message_id(welcome_key)))
    assert "**Got it**: nice one, marked as done." in text_of(shown) and "A preview" in text_of(shown)
    assert "Got it" not in [b.label for b in buttons(shown)]
    assert [b.label for b in buttons(shown)] == ["Open Compass", "Snooze", "Stop these messages"]

    again, note = stale(await press(runtime, ADA, got_it))
    assert again == shown and note == "Already recorded: **Got it**"

    usefulness = sender.shown(f"preview:{preview_id}:usefulness")
    shown = settled(await press(runtime, ADA, button(usefulness, "4")))
    assert "Thanks, noted: **4**" in text_of(shown) and not [b for b in buttons(shown) if b.label == "5"]

    # A number: Answer opens the form; the answer settles the step message through the outbox.
    minutes_key = f"preview:{preview_id}:minutes-saved"
    (opened,) = await press(runtime, ADA, button(sender.shown(minutes_key), "Answer"))
    assert opened.form is not None and opened.form.form_id == m.ANSWER_FORM
    assert await submit(runtime, ADA, opened.form.context, "45") == []
    await runtime.run_due_work()
    assert "Thanks, noted: **45**" in text_of(sender.shown(minutes_key))
    assert [b.label for b in buttons(sender.shown(minutes_key))] == ["Snooze", "Stop these messages"]

    # Snooze and Stop on a preview change nothing.
    (note_reply,) = await press(runtime, ADA, button(welcome, "Stop these messages"))
    assert "Nothing changed" in text_of(note_reply.message)
    await press(runtime, ADA, button(welcome, "Snooze"))

    def state(session: Any) -> tuple[Any, ...]:
        enrolment = session.exec(select(Enrolment)).one()
        progress = session.exec(select(StepProgress)).all()
        answers = session.exec(select(PulseAnswer)).all()
        from bot.people.models import Person

        ada = session.get(Person, enrolment.person_id)
        return enrolment.stage, [p.done_at for p in progress], answers, ada.stopped, ada.snoozed_until

    assert runtime.store.run_sync(state) == ("invited", [None], [], False, None)  # the welcome was sent

    listing = await say(runtime, ADA, "programme")
    shown_text = "\n".join(text_of(r.message) for r in listing)
    assert "you tried 3 of its 11 steps" in shown_text
    facts = [f.value for r in listing for b in r.message.blocks if hasattr(b, "items") for f in b.items]  # type: ignore[union-attr]
    assert "1 of 11" in facts and facts[facts.index("1 of 11") + 1] == "0"  # received, marked done

    channel = Place("local", "local", "team-compass", False, address={"channel": "team-compass"})
    (told,) = await runtime.engine.handle(Said(ADA, channel, "preview", via="mention"))
    assert told.ephemeral and "sent you all 11 steps" in text_of(told.message)  # the steps go to her DM


async def test_a_preview_sent_to_someone_else_is_theirs_to_click(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    from bot.people import service as people
    from bot.programmes.enrolment import preview_to

    await say(runtime, UMA, "hi")
    programme = runtime.content.programmes["assistant"]
    now = clock.now()
    runtime.store.run_sync(
        lambda s: preview_to(
            session=s,
            person=people.ensure_by_email(session=s, email=UMA.user_id, now=now),
            programme=programme,
            content=runtime.content,
            now=now,
        )
    )
    await runtime.run_due_work()
    key = next(
        r.key for r in sender.to(UMA.user_id) if r.key.endswith(":welcome") and r.key.startswith("preview:")
    )
    got_it = button(sender.shown(key), "Got it")
    (refused,) = await press(runtime, OMAR, got_it)
    assert text_of(refused.message) == "That button belongs to someone else's programme."
    settled(await press(runtime, UMA, got_it))


# --- a real enrolment --------------------------------------------------------------------------


async def test_steps_settle_once_answers_are_checked_and_can_be_changed(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await say(runtime, UMA, "hi")
    await run_until(runtime, clock, clock.now() + timedelta(hours=1))
    welcome_key = step_key(sender, UMA.user_id, "welcome", "programme:")
    enrolment = welcome_key.split(":")[1]
    assert welcome_key == f"programme:{enrolment}:welcome:1"
    got_it = button(sender.shown(welcome_key), "Got it")
    assert got_it.value == f"{enrolment}:welcome:1"
    shown = settled(await press(runtime, UMA, got_it))
    assert "**Got it**: nice one, marked as done." in text_of(shown) and "preview" not in text_of(shown)
    _again, note = stale(await press(runtime, UMA, got_it))
    assert note == "Already recorded: **Got it**"
    # A button from before sendings were counted ("enrolment:step") still works: the latest sending.
    _again, note = stale(await press(runtime, UMA, got_it, value=f"{enrolment}:welcome"))
    assert note == "Already recorded: **Got it**"
    # Someone else's step, a step never sent, a malformed value: refused.
    for who, value in ((OMAR, got_it.value), (UMA, f"{enrolment}:wrap-up:1"), (UMA, "x:y:z:w")):
        (refused,) = await press(runtime, who, got_it, value=value)
        assert refused.ephemeral and not refused.replace_source, text_of(refused.message)

    minutes_key = await until_sent(runtime, clock, sender, UMA.user_id, "minutes-saved")
    usefulness_key = await until_sent(runtime, clock, sender, UMA.user_id, "usefulness")
    four = button(sender.shown(usefulness_key), "4")
    assert four.value == f"{enrolment}:usefulness:1:4"
    for forged in ("1e308", "inf", "-inf", "nan", "-99999", "99", "0", "6", "2.5", "", "0x4", "4e0x"):
        (refused,) = await press(runtime, UMA, four, value=f"{enrolment}:usefulness:1:{forged}")
        assert text_of(refused.message) == "That answer is not one of the options.", forged
    shown = settled(await press(runtime, UMA, four))
    assert "Thanks, noted: **4**" in text_of(shown)
    _again, note = stale(await press(runtime, UMA, button(sender.shown(usefulness_key), "5")))
    assert note == "Already recorded: **4**"

    # The number question comes again while unanswered: each sending has its own answer.
    second_key = minutes_key.rsplit(":", 1)[0] + ":2"
    assert minutes_key.endswith(":1")
    for _ in range(10):
        if second_key in [r.key for r in sender.received]:
            break
        await run_until(runtime, clock, clock.now() + timedelta(days=1))
    (opened,) = await press(runtime, UMA, button(sender.shown(second_key), "Answer"))
    assert opened.form is not None and opened.form.context == f"{enrolment}:minutes-saved:2"
    assert await submit(runtime, UMA, opened.form.context, "50") == []

    ask = button(sender.shown(minutes_key), "Answer")
    assert (ask.action_id, ask.value) == (m.ASK, f"{enrolment}:minutes-saved:1")
    (opened,) = await press(runtime, UMA, ask)
    assert opened.form is not None
    for bad in ("1e308", "inf", "nan", "-1", "601", "lots"):
        (errors,) = await submit(runtime, UMA, opened.form.context, bad)
        assert errors.form_errors, bad
    forged_answer = Button(m.ANSWER, "1e308", value=f"{enrolment}:minutes-saved:1:1e308")
    (forged,) = await press(runtime, UMA, forged_answer)
    assert forged.message is not None and "not one of the options" in text_of(forged.message)
    assert await submit(runtime, UMA, opened.form.context, "30") == []
    (twice,) = await submit(runtime, UMA, opened.form.context, "40")
    assert twice.stale and text_of(twice.message) == "Already recorded: **30**"
    _again, note = stale(await press(runtime, UMA, ask))
    assert note == "Already recorded: **30**"
    await runtime.run_due_work()
    for key, answer in ((minutes_key, "30"), (second_key, "50")):
        assert f"Thanks, noted: **{answer}**" in text_of(sender.shown(key))
        assert "Answer" not in [b.label for b in buttons(sender.shown(key))]

    def answers(session: Any) -> list[tuple[str, int | None, float | None]]:
        rows = session.exec(select(PulseAnswer).order_by(PulseAnswer.id)).all()  # type: ignore[arg-type]
        return [(r.step_key, r.sending, r.number) for r in rows]

    assert runtime.store.run_sync(answers) == [
        ("usefulness", 1, 4.0),
        ("minutes-saved", 2, 50.0),
        ("minutes-saved", 1, 30.0),
    ]

    # `programme` lists the answers with Change; Change asks again and the new answer replaces the old.
    listing = (await say(runtime, UMA, "programme"))[0].message
    assert listing is not None and "**Your answers**" in text_of(listing)
    change = button(listing, "Change: How useful has Compass been f…")
    (asked,) = await press(runtime, UMA, change)
    assert asked.message is not None and not asked.replace_source
    two = button(asked.message, "2")
    assert two.action_id == m.REANSWER
    changed = settled(await press(runtime, UMA, two))
    assert "Your answer is now **2**" in text_of(changed)
    _again, note = stale(await press(runtime, UMA, two))
    assert note == "Already recorded: **2**"
    (forged,) = await press(runtime, UMA, two, value=two.value.replace(":2", ":1e308"))
    assert "not one of the options" in text_of(forged.message)
    (refused,) = await press(runtime, OMAR, two)
    assert "not yours" in text_of(refused.message)
    await runtime.run_due_work()
    assert "Thanks, noted: **2**" in text_of(sender.shown(usefulness_key))  # the step message follows
    (form,) = await press(
        runtime, UMA, button(listing, "Change: Roughly how many minutes did … (Mon 30 Nov)")
    )
    assert form.form is not None and form.form.form_id == m.CHANGE_FORM
    (errors,) = await submit(runtime, UMA, form.form.context, "inf", form_id=m.CHANGE_FORM)
    assert errors.form_errors
    await submit(runtime, UMA, form.form.context, "55", form_id=m.CHANGE_FORM)
    assert runtime.store.run_sync(answers) == [
        ("usefulness", 1, 2.0),
        ("minutes-saved", 2, 50.0),
        ("minutes-saved", 1, 55.0),
    ]


async def submit(
    runtime: Runtime, who: Actor, context: str, answer: str, *, form_id: str = m.ANSWER_FORM
) -> list[Reply]:
    return await runtime.engine.handle(Submitted(who, dm(who), form_id, {"answer": answer}, context=context))


def test_answers_are_checked_against_their_question(runtime: Runtime) -> None:
    from bot.programmes.steps import parse_answer

    steps = {s.key: s for s in runtime.content.programmes["assistant"].steps}
    scale = steps["usefulness"].question
    number = steps["minutes-saved"].question
    choice = steps["champion-invite"].question
    assert scale is not None and number is not None and choice is not None
    assert parse_answer(scale, "5") == (5.0, None)
    assert parse_answer(number, "12.5") == (12.5, None) and parse_answer(number, " 0 ") == (0.0, None)
    assert parse_answer(choice, "1") == (None, "Maybe later")
    for question, raw in (
        (scale, "2.5"), (scale, "1e308"), (number, "inf"), (number, "-inf"), (number, "NaN"),
        (number, "1e308"), (number, "-0.5"), (number, "600.5"), (choice, "3"), (choice, "-1"), (choice, "x"),
    ):  # fmt: skip
        with pytest.raises(ValueError):
            parse_answer(question, raw)


def test_outbox_rows_for_updates_do_not_count_against_the_budget(runtime: Runtime, clock: FixedClock) -> None:
    from bot.messages import text_message
    from bot.outbox import service as outbox

    now = clock.now()

    def queue(session: Any) -> list[tuple[str, int | None, str | None]]:
        row = outbox.enqueue(
            session=session, key="k", platform="local", address={"user": "u@example.com"},
            message=text_message("before"), now=now, person_id=None,
        )  # fmt: skip
        assert outbox.replace_sent(session=session, key="k", message=text_message("swapped"), now=now)
        row.state = outbox.OutboxState.sent
        assert outbox.replace_sent(session=session, key="k", message=text_message("after"), now=now)
        assert not outbox.replace_sent(session=session, key="nothing", message=text_message("x"), now=now)
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
        return [(r.idempotency_key, r.person_id, r.update_of_key) for r in rows]

    assert runtime.store.run_sync(queue) == [("k", None, None), (f"k:update:{now.isoformat()}", None, "k")]


@pytest.mark.skipif(postgres_url() is None, reason="SQLite serialises writers: the race needs PostgreSQL")
async def test_a_double_click_at_one_moment_records_once_and_answers_once(
    runtime: Runtime, clock: FixedClock, sender: RecordingSender
) -> None:
    await say(runtime, UMA, "hi")
    await run_until(runtime, clock, clock.now() + timedelta(hours=1))
    got_it = button(sender.shown(step_key(sender, UMA.user_id, "welcome", "programme:")), "Got it")
    usefulness_key = await until_sent(runtime, clock, sender, UMA.user_id, "usefulness")
    four = button(sender.shown(usefulness_key), "4")

    for clicked, writes in ((got_it, "UPDATE STEP_PROGRESS SET DONE_AT"), (four, "INSERT INTO PULSE_ANSWER")):
        both_writing = threading.Barrier(2)

        def meet(
            _conn: Any,
            _cursor: Any,
            statement: str,
            *_args: Any,
            writes: str = writes,
            both_writing: threading.Barrier = both_writing,
        ) -> None:
            if statement.lstrip().upper().startswith(writes):
                # Each click has read "not chosen yet": now both write at once. A fix lets only one
                # get here, and the other through once the barrier gives up.
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_writing.wait(timeout=5)

        await say(runtime, UMA, "help")  # seen just now: the clicks leave her identity row alone
        event.listen(runtime.store.database, "before_cursor_execute", meet)
        try:
            first, second = await asyncio.gather(press(runtime, UMA, clicked), press(runtime, UMA, clicked))
        finally:
            event.remove(runtime.store.database, "before_cursor_execute", meet)
        answers = sorted((first, second), key=len)
        settled(answers[0])
        stale(answers[1])

    def recorded(session: Any) -> tuple[int, int]:
        answers = session.exec(select(PulseAnswer)).all()
        done = session.exec(select(StepProgress).where(StepProgress.step_key == "welcome")).one()
        return len(answers), done.done_at is not None

    assert runtime.store.run_sync(recorded) == (1, True)
