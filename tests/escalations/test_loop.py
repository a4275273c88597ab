"""The loop on the local adapter: flag → card in the owners' channel → reply in its thread → the
person gets the answer in their DM and rates it; the timeline shows every step."""

from __future__ import annotations

from adapters.runtime import Runtime
from bot.audit import service as audit
from bot.escalations.models import FlagDraft, Status
from bot.events import Said
from bot.markdown import parse, plain_text
from bot.messages import Actions, Context, Facts, Quote, Reply, Text
from tests.escalations.helpers import (
    ADA,
    BEA,
    IVAN,
    OMAR,
    UMA,
    channel_place,
    click,
    escalation,
    flag,
    install,
    meet,
    words,
)
from tests.programmes.harness import say

NASTY = "Renews in March <!channel> @here <@U123> **bold** [click](https://evil.example) <b>x</b> &amp;"


async def test_flag_card_thread_answer_and_rating(runtime: Runtime) -> None:
    sent = install(runtime)
    await meet(runtime, UMA, OMAR, BEA)

    form = (await say(runtime, UMA, f"flag {NASTY}"))[0].form
    assert form is not None and form.form_id == "escalation.flag"
    # The output is kept on the server (drafts) and shown in the form, which carries only its id.
    assert form.context == "draft:1" and "output" not in {f.name for f in form.fields}
    assert NASTY in plain_text(form.intro or "")

    replies = await flag(runtime, UMA, NASTY)
    told = words(replies)
    assert "ESC-1" in told
    # Omar (New York, 9–17) gets 16 working hours: Monday and Tuesday; 17:00 NY is 22:00 in London.
    assert (
        "Omar usually answers within 2 working days; you'll hear back by Tue 24 Nov 22:00 your time" in told
    )

    await runtime.run_due_work()
    (card,) = sent.in_channel()
    assert card.quotes()["The output"] == NASTY  # verbatim, in a Quote block: inert on every renderer
    assert "Uma" in str(card.message.blocks[1])  # flagged by, not anonymous
    buttons = [b.label for block in card.message.blocks if isinstance(block, Actions) for b in block.buttons]
    assert buttons[:3] == ["Acknowledge", "Answer", "Reassign"]
    assert "Resolve: a model issue" in buttons
    row = escalation(runtime)
    assert row.card_thread_id == card.message_id and row.model_version == "compass-2026-11"
    assert row.trace_id == "trace-77" and row.source_link == "https://chat.example/archives/C1/p17"

    reply = Said(
        OMAR, channel_place(thread_id=card.message_id), "Clause 4.2 was amended in 2025.", via="thread_reply"
    )
    answered = await runtime.engine.handle(reply)
    assert "on its way" in words(answered) and answered[0].in_thread
    await runtime.run_due_work()

    (answer,) = [g for g in sent.to(UMA.user_id) if "answered your flag" in g.text]
    assert answer.quotes()["Answer"] == "Clause 4.2 was amended in 2025."
    rate = [b for block in answer.message.blocks if isinstance(block, Actions) for b in block.buttons]
    assert [b.label for b in rate] == ["Yes", "No"]
    updated = [g for g in sent.in_channel() if g.update_of == card.message_id]
    assert updated and updated[-1].quotes()["Answer"] == "Clause 4.2 was amended in 2025."

    thanks = await click(runtime, UMA, rate[0].action_id, rate[0].value)
    assert "glad it helped" in words(thanks)
    row = escalation(runtime)
    assert row.helpful is True and row.status == Status.answered

    timeline = words(await say(runtime, UMA, "escalation 1"))
    for step in ("flagged", "answered", "rated"):
        assert step in timeline


async def test_user_text_arrives_inert_in_the_channel(runtime: Runtime) -> None:
    sent = install(runtime)
    await meet(runtime, UMA)
    await flag(runtime, UMA, NASTY)
    await runtime.run_due_work()
    (card,) = sent.in_channel()
    for block in card.message.blocks:
        if isinstance(block, Text | Context):
            assert "<!channel>" not in block.markdown and "@here" not in block.markdown
            assert all(
                span.kind != "link" or "evil" not in (span.url or "")
                for line in parse(block.markdown)
                for span in line.spans
            )
        if isinstance(block, Quote):
            assert block.text in (NASTY, "The renewal date from clause 4.2")


async def test_anonymous_flags_hide_the_name_from_the_owner(runtime: Runtime) -> None:
    sent = install(runtime)
    await meet(runtime, UMA, OMAR)
    await flag(runtime, UMA, "Some output", anonymous=True)
    await runtime.run_due_work()
    (card,) = sent.in_channel()
    assert "someone (anonymous)" in str(card.message.blocks[1]) and "Uma" not in str(card.message)
    timeline = words(await say(runtime, OMAR, "escalation 1"))
    assert "someone (anonymous)" in timeline and "Uma" not in timeline


async def test_a_non_owner_click_is_refused_and_audited(runtime: Runtime) -> None:
    install(runtime)
    await meet(runtime, UMA, IVAN, BEA)
    await flag(runtime, UMA, "Some output")
    refused = await click(runtime, IVAN, "escalation.ack", "1")
    assert refused[0].ephemeral and "Only the escalation owner of Compass" in words(refused)
    assert escalation(runtime).acknowledged_at is None
    refused = await click(runtime, IVAN, "escalation.resolve", "1:not_an_issue")
    assert refused[0].ephemeral and escalation(runtime).status == Status.open
    form = await click(runtime, IVAN, "form.open", "escalation.answer|1")
    assert form[0].ephemeral and form[0].form is None
    thread = Said(IVAN, channel_place(thread_id="nope"), "hello", via="thread_reply")
    assert await runtime.engine.handle(thread) == []  # not a card thread: not ours to answer

    ok = await click(runtime, BEA, "escalation.ack", "1")  # the backup may act
    assert "You acknowledged ESC-1" in words(ok)
    trail = runtime.store.run_sync(
        lambda s: [e.action for e in audit.for_subject(session=s, subject="escalation:1")]
    )
    assert trail == [
        "escalation.flagged",
        "escalation.refused",
        "escalation.refused",
        "escalation.acknowledged",
    ]


async def test_only_the_flagger_rates(runtime: Runtime) -> None:
    install(runtime)
    await meet(runtime, UMA, BEA)
    await flag(runtime, UMA, "Some output")
    refused = await click(runtime, BEA, "escalation.rate", "1:yes")
    assert "Only the person who flagged it" in words(refused) and escalation(runtime).helpful is None


async def test_flags_lists_open_flags_and_admins_may_act(runtime: Runtime) -> None:
    install(runtime)
    await meet(runtime, UMA, ADA)
    await flag(runtime, UMA, "First output")
    await flag(runtime, UMA, "Second output", system="contract-review")
    listed = words(await say(runtime, UMA, "flags"))
    assert "ESC-1" in listed and "ESC-2" in listed and "Clause Checker" in listed
    done = await click(runtime, ADA, "escalation.resolve", "2:not_an_issue")
    assert "resolved as not an issue" in words(done)
    listed = words(await say(runtime, UMA, "flags"))
    assert "ESC-2" not in listed


async def test_message_shortcut_prefills_the_output_link_and_the_channels_system(runtime: Runtime) -> None:
    from bot.events import Shortcut

    await meet(runtime, UMA)
    place = channel_place()
    replies = await runtime.engine.handle(
        Shortcut(
            UMA, place, "flag.message", message_text="The AI said 42.", message_link="https://x.example/m/1"
        )
    )
    form = replies[0].form
    assert form is not None and form.context == "draft:1"  # the output and link wait on the server
    initial = {f.name: f.initial for f in form.fields}
    assert "output" not in initial and initial["system"] == "assistant"
    assert "The AI said 42." in (form.intro or "")
    draft = runtime.store.run_sync(lambda s: s.get(FlagDraft, 1))
    assert draft is not None and (draft.output_text, draft.source_link) == ("The AI said 42.", "https://x.example/m/1")
    form = (await runtime.engine.handle(Shortcut(UMA, place, "flag.global")))[0].form
    assert form is not None and form.context == ""
    assert {f.name: f.initial for f in form.fields}["output"] is None  # nothing given: typed in the form


async def test_the_flag_form_reports_missing_fields(runtime: Runtime) -> None:
    from bot.events import Submitted
    from tests.programmes.harness import dm

    await meet(runtime, UMA)
    replies = await runtime.engine.handle(
        Submitted(UMA, dm(UMA), "escalation.flag", {"output": " ", "reason": "x", "system": "nope"})
    )
    assert set(replies[0].form_errors or {}) == {"output", "reason", "system"}


async def test_the_owners_home_shows_what_waits_for_them(runtime: Runtime) -> None:
    install(runtime)
    await meet(runtime, UMA, OMAR, BEA)
    await flag(runtime, UMA, "The contract renews in March.")
    await flag(runtime, UMA, "Another output.")
    facts = home_facts(await say(runtime, OMAR, "home"))
    assert facts["Flags waiting for your answer"] == "2 (the oldest: ESC-1)"
    assert facts["Friction reports for you to look at"] == "0"
    assert "Flags waiting for your answer" not in home_facts(await say(runtime, UMA, "home"))  # not an owner


def home_facts(replies: list[Reply]) -> dict[str, str]:
    return {f.label: f.value for r in replies if r.message for b in r.message.blocks if isinstance(b, Facts)
            for f in b.items}  # fmt: skip


async def test_a_rating_shows_on_the_answer_and_counts_once(runtime: Runtime) -> None:
    sent = install(runtime)
    await meet(runtime, UMA, OMAR)
    await flag(runtime, UMA, "Some output")
    refused = await click(runtime, UMA, "escalation.rate", "1:yes")
    assert refused[0].ephemeral and escalation(runtime).helpful is None  # nothing answered yet
    await runtime.run_due_work()
    (card,) = sent.in_channel()
    thread = channel_place(thread_id=card.message_id)
    await runtime.engine.handle(Said(OMAR, thread, "First answer.", via="thread_reply"))
    await runtime.run_due_work()
    assert [g for g in sent.to(UMA.user_id) if "answered your flag" in g.text]
    assert await click(runtime, UMA, "escalation.rate", "1:maybe") != []  # not a rating: refused
    assert escalation(runtime).helpful is None

    (shown,) = await click(runtime, UMA, "escalation.rate", "1:yes")
    assert shown.replace_source and shown.message is not None
    assert [b for b in shown.message.blocks if isinstance(b, Actions)] == []  # the buttons went
    assert "Thanks, glad it helped." in words([shown]) and "First answer." in str(shown.message)
    for value in ("1:yes", "1:no"):  # a double click, or the other button on a stale copy
        again, note = await click(runtime, UMA, "escalation.rate", value)
        assert again.replace_source and again.message == shown.message
        assert note.stale and note.ephemeral and words([note]) == "Already recorded: Yes"
    assert escalation(runtime).helpful is True
    rated = runtime.store.run_sync(
        lambda s: [e.action for e in audit.for_subject(session=s, subject="escalation:1")]
    ).count("escalation.rated")
    assert rated == 1

    # A new answer is rated afresh.
    await runtime.engine.handle(Said(OMAR, thread, "Better answer.", via="thread_reply"))
    assert escalation(runtime).helpful is None
    (shown,) = await click(runtime, UMA, "escalation.rate", "1:no")
    assert "I've let the owner know" in words([shown]) and escalation(runtime).helpful is False
