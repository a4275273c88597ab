"""Long flagged outputs are kept whole, shown in part with a way to read all, and refused over the limit
with the limit named; every limit of the flag form is enforced where the engine receives the value."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.runtime import Runtime
from bot.escalations.models import Escalation, FlagDraft
from bot.events import Said, Submitted
from bot.messages import Actions, Header, Quote
from bot.ports import FixedClock
from tests.escalations.helpers import IVAN, OMAR, UMA, channel_place, click, escalation, install, meet, words
from tests.programmes.harness import dm, say


def long_output(size: int) -> str:
    """`size` characters in lines, ending with words that must arrive: nothing may be cut."""
    end = " The renewal is in April, per clause 4.2."
    line = "Summary of the supplier contract, section by section, as the assistant wrote it.\n"
    body = (line * (size // len(line) + 1))[: size - len(end)]
    return body + end


def flag_values(**extra: str) -> dict[str, str]:
    return {"reason": "unclear", "system": "assistant", "expected": "", "trace_id": "", "anonymous": "no", **extra}


async def flag_long(runtime: Runtime, output: str) -> str:
    """Flag `output` the way people do: `flag <output>`, then send the form it opens."""
    (reply,) = await say(runtime, UMA, f"flag {output}")
    assert reply.form is not None
    sent = await runtime.engine.handle(
        Submitted(UMA, dm(UMA), "escalation.flag", flag_values(), context=reply.form.context)
    )
    return words(sent)


async def test_a_20000_character_output_reaches_the_owner_whole(runtime: Runtime) -> None:
    sent = install(runtime)
    await meet(runtime, UMA, OMAR, IVAN)
    output = long_output(20_000)

    told = await flag_long(runtime, output)
    assert escalation(runtime).output_text == output  # stored whole
    assert "The owners' card shows the first 2,000 of its 20,000 characters" in told  # the reporter knows
    assert "Show full output" in told
    assert runtime.store.run_sync(lambda s: s.exec(select(FlagDraft)).all()) == []  # the draft is used up

    await runtime.run_due_work()
    (card,) = sent.in_channel()
    shown = card.quotes()["The output (the start of its 20,000 characters)"]
    assert shown.endswith("…") and len(shown) <= 2000 and output.startswith(shown[:-1])
    (show,) = [b for a in card.message.blocks if isinstance(a, Actions) for b in a.buttons if b.label == "Show full output"]

    (full,) = await click(runtime, OMAR, show.action_id, show.value, channel_place())
    assert full.dialog and full.ephemeral and full.message is not None
    (quote,) = [b for b in full.message.blocks if isinstance(b, Quote)]
    assert quote.text == output
    assert isinstance(full.message.blocks[0], Header) and "20,000 characters" in words([full])

    (own,) = await click(runtime, UMA, show.action_id, show.value)  # the flagger may read theirs
    assert own.dialog
    (refused,) = await click(runtime, IVAN, show.action_id, show.value)  # nobody else
    assert not refused.dialog and "Only the escalation owner of Compass" in words([refused])


async def test_an_output_over_40000_characters_is_refused_with_the_limit_named(runtime: Runtime) -> None:
    await meet(runtime, UMA)
    (refused,) = await say(runtime, UMA, f"flag {long_output(40_001)}")
    assert refused.form is None and refused.ephemeral
    assert "That output is 40,001 characters long; a flag keeps up to 40,000." in words([refused])
    assert runtime.store.run_sync(lambda s: s.exec(select(FlagDraft)).all()) == []

    (kept,) = await say(runtime, UMA, f"flag {long_output(40_000)}")
    assert kept.form is not None and kept.form.context == "draft:1"


async def test_typed_outputs_and_other_fields_are_checked_where_they_arrive(runtime: Runtime) -> None:
    """A client's limits are only a help: a view_submission can carry anything (hardening #17)."""
    await meet(runtime, UMA)

    async def errors(**values: str) -> dict[str, str]:
        (reply,) = await runtime.engine.handle(
            Submitted(UMA, dm(UMA), "escalation.flag", flag_values(**values), context="")
        )
        assert reply.form_errors is not None
        return dict(reply.form_errors)

    too_long = await errors(output="x" * 100_000)
    assert too_long == {
        "output": "That is 100,000 characters; this box takes up to 3,000. Send the output to me in a "
        "message starting with “flag” instead: I keep up to 40,000."
    }
    assert "3,000" in (await errors(output="x" * 3001))["output"]
    assert await errors(output="ok", expected="e" * 2001, trace_id="t" * 201) == {
        "expected": "Up to 2,000 characters, please (this is 2,001).",
        "trace_id": "Up to 200 characters, please (this is 201).",
    }
    assert runtime.store.run_sync(lambda s: s.exec(select(Escalation)).all()) == []

    (form_reply,) = await say(runtime, UMA, "flag")
    assert form_reply.form is not None
    (field,) = [f for f in form_reply.form.fields if f.name == "output"]
    assert field.max_length == 3000 and "40,000" in (field.hint or "")


async def test_a_draft_is_only_its_owners_and_old_drafts_go(runtime: Runtime) -> None:
    await meet(runtime, UMA, IVAN)
    (reply,) = await say(runtime, UMA, "flag The contract renews in March.")
    assert reply.form is not None and reply.form.context == "draft:1"
    (stolen,) = await runtime.engine.handle(
        Submitted(IVAN, dm(IVAN), "escalation.flag", flag_values(), context="draft:1")
    )
    assert "That flag form has expired" in words([stolen])
    (button,) = await click(runtime, IVAN, "form.open", "escalation.flag|draft:1")
    assert button.form is None and "expired" in words([button])

    assert isinstance(runtime.clock, FixedClock)
    runtime.clock.at += timedelta(days=8)
    await runtime.engine.handle(Said(IVAN, dm(IVAN), "flag Another output."))
    left = runtime.store.run_sync(lambda s: [d.person_id for d in s.exec(select(FlagDraft)).all()])
    assert len(left) == 1  # Uma's week-old draft was deleted when Ivan's was kept
