"""Owner actions: answer form, reassign, resolve as a model issue, FAQ publishing and its offer,
and the card going to the owner's DM when no channel is served."""

from __future__ import annotations

from sqlmodel import select

from adapters.runtime import Runtime, build_runtime
from bot.escalations import faq
from bot.escalations.models import FaqEntry, Status
from bot.outbox.models import OutboxMessage
from bot.people.models import Person
from tests.escalations.helpers import (
    BEA,
    IVAN,
    OMAR,
    UMA,
    click,
    escalation,
    flag,
    install,
    meet,
    submit,
    words,
)
from tests.programmes.harness import actor, say

PRIYA = actor("priya@example.com", "Asia/Kolkata")
OUTPUT = "Your contract with Acme renews automatically on 1 March 2027 for another twelve months."


async def test_answer_form_reassign_and_the_new_owner_may_act(runtime: Runtime) -> None:
    sent = install(runtime)
    await meet(runtime, UMA, OMAR, IVAN)
    await flag(runtime, UMA, OUTPUT)
    form = await click(runtime, OMAR, "form.open", "escalation.reassign|1")
    assert form[0].form is not None and form[0].form.form_id == "escalation.reassign"
    bad = await submit(runtime, OMAR, "escalation.reassign", {"owner": "nobody"}, "1")
    assert bad[0].form_errors
    await submit(runtime, OMAR, "escalation.reassign", {"owner": "ivan@example.com"}, "1")
    await runtime.run_due_work()
    assert [g for g in sent.to(IVAN.user_id) if "passed ESC-1 to you" in g.text]

    empty = await submit(runtime, IVAN, "escalation.answer", {"answer": " "}, "1")
    assert empty[0].form_errors == {"answer": "Write the answer the person will receive."}
    await submit(runtime, IVAN, "escalation.answer", {"answer": "It renews in April, see clause 4.2."}, "1")
    await runtime.run_due_work()
    (answer,) = [g for g in sent.to(UMA.user_id) if "answered your flag" in g.text]
    assert answer.quotes()["Answer"] == "It renews in April, see clause 4.2."
    row = runtime.store.run_sync(
        lambda s: s.exec(select(OutboxMessage).where(OutboxMessage.kind == "answer")).one()
    )
    assert row.critical
    assert escalation(runtime).status == Status.answered


async def test_model_issue_notifies_the_retraining_decider(runtime: Runtime) -> None:
    sent = install(runtime)
    await meet(runtime, UMA, OMAR, PRIYA)
    await flag(runtime, UMA, OUTPUT)
    done = await click(runtime, OMAR, "escalation.resolve", "1:model_issue")
    assert "resolved as a model issue" in words(done)
    await runtime.run_due_work()
    assert [g for g in sent.to(PRIYA.user_id) if "model issue" in g.text]
    assert [g for g in sent.to(UMA.user_id) if "closed as a model issue" in g.text]
    again = await click(runtime, OMAR, "escalation.ack", "1")
    assert "already resolved" in words(again)


async def test_published_answer_is_offered_to_the_next_similar_flag(runtime: Runtime) -> None:
    install(runtime)
    await meet(runtime, UMA, OMAR, BEA)
    await flag(runtime, UMA, OUTPUT)
    await submit(
        runtime, OMAR, "escalation.answer", {"answer": "Clause 4.2 moved the renewal to April."}, "1"
    )
    published = await click(runtime, OMAR, "escalation.publish", "1")
    assert "Published" in words(published)
    assert runtime.store.run_sync(lambda s: len(s.exec(select(FaqEntry)).all())) == 1

    similar = "your contract with ACME renews automatically on 1 March 2027 for twelve more months"
    form = (await say(runtime, BEA, f"flag {similar}"))[0].form
    assert form is not None and form.intro is not None
    assert "This may already be answered" in form.intro and "Clause 4.2 moved the renewal" in form.intro
    other = (await say(runtime, BEA, "flag The meeting summary lists the wrong attendees."))[0].form
    assert other is not None and "already answered" not in (other.intro or "")


def test_faq_similarity_is_tfidf_cosine_with_a_documented_threshold() -> None:
    scores = faq.similarities(
        OUTPUT,
        [
            "Your contract with Acme renews automatically on 1 March 2027.",
            "The meeting summary lists the wrong attendees for Tuesday.",
        ],
    )
    assert scores[0] >= faq.THRESHOLD > scores[1]
    assert faq.similarities("", ["anything"]) == [0.0]


async def test_without_a_served_channel_the_card_goes_to_the_owner(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"local_chat": False, "teams_app_id": "app"})
    assert settings.platforms == ("teams",)  # the Teams channel was never seen: nowhere to post
    teams_only = build_runtime(settings, clock=runtime.clock, store=runtime.store, content=runtime.content)
    sent = install(teams_only)
    await meet(teams_only, UMA, OMAR)
    await flag(teams_only, UMA, OUTPUT)
    await teams_only.run_due_work()
    assert not sent.in_channel()
    (card,) = [g for g in sent.to(OMAR.user_id) if "was flagged" in g.message.summary]
    assert card.quotes()["The output"] == OUTPUT
    owner = teams_only.store.run_sync(
        lambda s: s.exec(select(Person).where(Person.email == OMAR.email)).one()
    )
    assert escalation(teams_only).owner_id == owner.id


async def test_an_answer_over_the_limit_is_refused_by_form_and_in_the_thread(runtime: Runtime) -> None:
    """#13: the answer's length was only the form field's business; the engine took any length."""
    from bot.escalations.messages import ANSWER_MAX
    from bot.events import Said
    from tests.escalations.helpers import channel_place

    sent = install(runtime)
    await meet(runtime, UMA, OMAR)
    await flag(runtime, UMA, OUTPUT)
    await runtime.run_due_work()
    (card,) = sent.in_channel()
    over = "It renews in April, see clause 4.2. " * 100
    assert len(over.strip()) > ANSWER_MAX
    refused = await submit(runtime, OMAR, "escalation.answer", {"answer": over}, "1")
    assert refused[0].form_errors is not None
    assert f"holds up to {ANSWER_MAX:,}" in refused[0].form_errors["answer"]
    thread = channel_place(thread_id=card.message_id)
    refused = await runtime.engine.handle(Said(OMAR, thread, over, via="thread_reply"))
    assert refused[0].ephemeral and f"{len(over.strip()):,} characters" in words(refused)
    assert f"holds up to {ANSWER_MAX:,}" in words(refused)
    assert escalation(runtime).answer is None and escalation(runtime).status == Status.open

    whole = over[:ANSWER_MAX].strip()
    await runtime.engine.handle(Said(OMAR, thread, whole, via="thread_reply"))
    await runtime.run_due_work()
    (answer,) = [g for g in sent.to(UMA.user_id) if "answered your flag" in g.text]
    assert answer.quotes()["Answer"] == whole
