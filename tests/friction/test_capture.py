"""Ways in: the `friction` command and `report` alias, the shortcut, the programme's button, the
frustration text hook, and the form's validation."""

from __future__ import annotations

from adapters.runtime import Runtime
from bot.events import Clicked, Shortcut, Submitted
from bot.friction.models import Status
from bot.messages import Actions, Form, Reply
from bot.ports import FixedClock
from tests.friction.helpers import UMA, click, file_report, record, reports, say, shown
from tests.programmes.harness import dm


def form_of(replies: list[Reply]) -> Form:
    (reply,) = [r for r in replies if r.form is not None]
    assert reply.form is not None
    return reply.form


def initial(form: Form, name: str) -> str | None:
    return next(f.initial for f in form.fields if f.name == name)


async def test_command_and_alias_open_the_form(runtime: Runtime) -> None:
    await say(runtime, UMA, "hi")
    for text in ("friction", "report", "/coach report the search is down"):
        form = form_of(await say(runtime, UMA, text))
        assert form.form_id == "friction.report"
        assert [f.name for f in form.fields] == [
            "trying_to",
            "category",
            "severity",
            "details",
            "system",
            "anonymous",
        ]
        assert initial(form, "system") == "assistant"  # from Uma's programme
        assert initial(form, "anonymous") == "no"
        assert len(form.title) <= 24  # Slack's modal title limit
    assert initial(form, "details") == "the search is down"
    categories = next(f for f in form.fields if f.name == "category").options
    assert [o.value for o in categories][:3] == ["access", "speed", "answer_quality"]


async def test_shortcut_and_programme_button_open_the_same_form(runtime: Runtime) -> None:
    await say(runtime, UMA, "hi")
    form = form_of(await runtime.engine.handle(Shortcut(UMA, dm(UMA), "friction.report")))
    assert form.form_id == "friction.report"
    from_step = form_of(
        await runtime.engine.handle(Clicked(UMA, dm(UMA), "prog.report", value="assistant:1:x"))
    )
    assert from_step.form_id == "friction.report" and initial(from_step, "system") == "assistant"
    assert from_step.context == "assistant"


async def test_frustration_offers_a_report_prefilled_with_what_was_said(runtime: Runtime) -> None:
    await say(runtime, UMA, "hi")
    replies = await say(runtime, UMA, "Honestly, this is useless & it's TOO SLOW <b>")
    assert "That sounds frustrating, Uma" in shown(replies)
    assert replies[0].message is not None
    (button,) = [
        b for block in replies[0].message.blocks if isinstance(block, Actions) for b in block.buttons
    ]
    assert button.action_id == "form.open" and button.value.startswith("friction.report|assistant|")
    form = form_of(await click(runtime, UMA, button.action_id, button.value))
    assert initial(form, "details") == "Honestly, this is useless & it's TOO SLOW <b>"
    assert initial(form, "category") is None  # the first matching rule has no category

    replies = await say(runtime, UMA, "it takes forever")
    assert replies[0].message is not None
    (button,) = [
        b for block in replies[0].message.blocks if isinstance(block, Actions) for b in block.buttons
    ]
    form = form_of(await click(runtime, UMA, button.action_id, button.value))
    assert initial(form, "category") == "speed"


async def test_ordinary_text_is_not_taken_for_frustration(runtime: Runtime) -> None:
    await say(runtime, UMA, "hi")
    assert "frustrating" not in shown(await say(runtime, UMA, "what a lovely day"))


async def test_the_form_says_what_is_missing(runtime: Runtime) -> None:
    await say(runtime, UMA, "hi")
    replies = await runtime.engine.handle(
        Submitted(
            UMA,
            dm(UMA),
            "friction.report",
            {"trying_to": "", "category": "nope", "severity": "", "system": "nope", "details": "x" * 2001},
        )
    )
    assert replies[0].form_errors is not None
    assert set(replies[0].form_errors) == {"trying_to", "category", "severity", "system", "details"}
    assert reports(runtime) == []


async def test_a_report_without_a_programme_owner_goes_straight_to_the_owners_channel(
    runtime: Runtime, clock: FixedClock
) -> None:
    from bot.ownership import service as ownership
    from tests.friction.helpers import ADA

    sent = record(runtime, clock)
    await say(runtime, ADA, "hi")
    await say(runtime, UMA, "hi")

    def drop(session):  # type: ignore[no-untyped-def]
        row = ownership.assignment(session=session, system="contract-review", role="programme_owner")
        assert row is not None
        row.person_id = None

    runtime.store.run_sync(drop)
    await file_report(runtime, UMA, system="contract-review", severity="annoying")
    await runtime.run_due_work()
    # not urgent, but with nobody to send a digest to it goes to contract-review's owners' channel now
    (card,) = sent.friction()
    assert card.to == "esc-contracts"
    assert reports(runtime)[0].status == Status.new


async def test_text_carried_into_a_report_is_whole_up_to_the_limit_and_refused_over_it(runtime: Runtime) -> None:
    """#13: what people wrote was silently cut to 1,500 characters on its way into the form."""
    from bot.friction.flows import DETAILS_MAX

    await say(runtime, UMA, "hi")
    whole = ("The summary left out the second half of the thread. " * 60)[: DETAILS_MAX - 4] + " END"
    assert len(whole) == DETAILS_MAX
    assert initial(form_of(await say(runtime, UMA, f"friction {whole}")), "details") == whole
    shortcut = Shortcut(UMA, dm(UMA), "friction.report", message_text=whole)
    assert initial(form_of(await runtime.engine.handle(shortcut)), "details") == whole

    over = whole + "!"
    for replies in (
        await say(runtime, UMA, f"friction {over}"),
        await runtime.engine.handle(Shortcut(UMA, dm(UMA), "friction.report", message_text=over)),
    ):
        assert not [r for r in replies if r.form is not None]
        assert "2,001 characters" in shown(replies) and "hold up to 2,000" in shown(replies)

    # Frustration: carried whole when the button can hold it; otherwise the offer says so, never a cut copy.
    said = "this is useless: " + "the answer ignored my question again. " * 30
    replies = await say(runtime, UMA, said)
    assert replies[0].message is not None
    (button,) = [b for block in replies[0].message.blocks if isinstance(block, Actions) for b in block.buttons]
    assert initial(form_of(await click(runtime, UMA, button.action_id, button.value)), "details") == said.strip()

    said = "this is useless: " + "the answer ignored my question again. " * 60
    replies = await say(runtime, UMA, said)
    assert replies[0].message is not None
    (button,) = [b for block in replies[0].message.blocks if isinstance(block, Actions) for b in block.buttons]
    assert len(button.value) <= 2000 and "so the form starts empty" in shown(replies)
    assert f"{len(said.strip()):,} characters" in shown(replies)
    assert initial(form_of(await click(runtime, UMA, button.action_id, button.value)), "details") is None
