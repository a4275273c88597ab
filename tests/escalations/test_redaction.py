"""COACH_REDACT_FLAGS: personal details in a flagged output are hidden before the owners see it, and the
person flagging sees what will be shared, before sending and after."""

from __future__ import annotations

import pytest

from adapters.runtime import Runtime, build_runtime
from bot.config import Settings, SettingsError, load_settings
from bot.content import Content
from bot.markdown import plain_text
from bot.ports import FixedClock
from bot.privacy.redact import redact
from bot.store.db import Store
from tests.escalations.helpers import OMAR, UMA, escalation, install, meet, submit, words
from tests.programmes.harness import say

OUTPUT = "Write to uma@example.com or call +44 20 7946 0958 about card 4111 1111 1111 1111 by 2027-03-01."


@pytest.mark.parametrize(
    ("text", "shown", "hidden"),
    [
        ("mail a.b+c@mail.example.co.uk today", "mail [email] today", "1 email address"),
        ("call (415) 555-2671 or +33 1 42 68 53 00", "call [phone] or [phone]", "2 phone numbers"),
        ("card 4111-1111-1111-1111, not 4111 1111 1111 1112", "card [card number], not 4111 1111 1111 1112",
         "1 card number"),
        ("pay GB82 WEST 1234 5698 7654 32 now", "pay [account number] now", "1 account number"),
        ("order 12345678 of 2027-03-01 costs 1,234.56 for 3 users", "order 12345678 of 2027-03-01 costs "
         "1,234.56 for 3 users", ""),
    ],
)  # fmt: skip
def test_what_is_hidden_and_what_is_not(text: str, shown: str, hidden: str) -> None:
    found = redact(text)
    assert found.text == shown and found.summary() == hidden


def test_the_region_is_a_country_code() -> None:
    with pytest.raises(SettingsError, match="COACH_REDACT_REGION"):
        load_settings(COACH_REDACT_REGION="Britain", _env_file=None)


@pytest.fixture
def redacting(settings: Settings, store: Store, clock: FixedClock, content: Content) -> Runtime:
    on = settings.model_copy(update={"redact_flags": True, "redact_region": "GB"})
    return build_runtime(on, clock=clock, store=store, content=content)


async def test_owners_see_the_output_without_personal_details(redacting: Runtime) -> None:
    sent = install(redacting)
    await meet(redacting, UMA, OMAR)
    form = (await say(redacting, UMA, f"flag {OUTPUT}"))[0].form
    assert form is not None
    shown = plain_text(form.intro or "")
    assert "uma@example.com" not in shown and "[email]" in shown and "[phone]" in shown
    assert "hides personal details: 1 email address, 1 card number and 1 phone number" in shown

    values = {"reason": "unclear", "expected": "Ask me at uma@example.com", "system": "assistant", "anonymous": "no"}
    told = await submit(redacting, UMA, "escalation.flag", values, context=form.context)
    assert "What the owners see" in str(told[0].message)
    assert "Hidden from the owners: 2 email addresses, 1 card number and 1 phone number." in words(told)
    row = escalation(redacting)
    assert "uma@example.com" not in row.output_text + row.expected and "2027-03-01" in row.output_text
    await redacting.run_due_work()
    (card,) = sent.in_channel()
    assert "uma@example.com" not in str(card.message) and "7946" not in str(card.message)


async def test_without_the_setting_the_output_is_shared_as_it_is(runtime: Runtime) -> None:
    await meet(runtime, UMA, OMAR)
    form = (await say(runtime, UMA, f"flag {OUTPUT}"))[0].form
    assert form is not None and "hides personal details" not in (form.intro or "")
    values = {"reason": "unclear", "expected": "", "system": "assistant", "anonymous": "no"}
    await submit(runtime, UMA, "escalation.flag", values, context=form.context)
    assert escalation(runtime).output_text == OUTPUT
