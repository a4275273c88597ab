"""Button values and form values as a hostile client sends them, straight to the engine: every click and
form the router knows, with values the coach never wrote. The answer is a clear refusal or a result,
never the "something went wrong on my side" of an exception escaping a flow."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.runtime import Runtime
from bot.events import Clicked, Submitted
from tests.announcements.helpers import ADA, UMA, texts
from tests.programmes.harness import dm, say

# Each example is a unit of work: a tenth of the profile's examples, at least 30.
ENGINE_EXAMPLES = settings(max_examples=max(30, settings.default.max_examples // 10))
FAILED = "something went wrong on my side"
FIELDS = ["ack_required", "anonymous", "answer", "audience_kind", "audience_param", "body", "category",
          "critical", "details", "expected", "model_version", "output", "owner", "question", "reason",
          "severity", "system", "timezone", "title", "trace_id", "trying_to", "when", "workday_end",
          "workday_start"]  # fmt: skip
PART = st.sampled_from(
    ["", "0", "1", "2", "-1", "99", "1e308", "inf", "-inf", "nan", "NaN", "1.5", "assistant", "onboarding",
     "draft", "true", "false", "x", "%", "\x00", "9" * 30, "ada@example.com", "2026-11-23", "25:99"]
) | st.text(max_size=12)  # fmt: skip
VALUES = PART | st.lists(PART, min_size=2, max_size=5).map(":".join) | st.text(max_size=300)


@pytest.fixture
async def people(runtime: Runtime) -> Runtime:
    for who in (ADA, UMA):
        await say(runtime, who, "hi")
    await say(runtime, UMA, "flag The contract renews in March 2027")
    return runtime


@ENGINE_EXAMPLES
@given(data=st.data())
async def test_any_value_on_any_button_is_answered(people: Runtime, data: st.DataObject) -> None:
    action = data.draw(st.sampled_from(sorted(people.engine.router.actions)))
    who = data.draw(st.sampled_from([ADA, UMA]))
    event = Clicked(who, dm(who), action, data.draw(VALUES), message_id=data.draw(st.none() | PART))
    replies = await people.engine.handle(event)
    assert FAILED not in texts(replies), (action, event.value)


@ENGINE_EXAMPLES
@given(data=st.data())
async def test_any_values_in_any_form_are_answered(people: Runtime, data: st.DataObject) -> None:
    form = data.draw(st.sampled_from(sorted(people.engine.router.forms)))
    who = data.draw(st.sampled_from([ADA, UMA]))
    values: dict[str, Any] = data.draw(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), VALUES,
                                                       max_size=8))  # fmt: skip
    event = Submitted(who, dm(who), form, values, context=data.draw(VALUES))
    replies = await people.engine.handle(event)
    assert FAILED not in texts(replies), (form, values, event.context)


# What the fuzzer found, pinned: (kind, id, values, context or button value).
FOUND = [
    ("form", "announcements.answer", {}, "9" * 30),  # overflowed SQLite's integers
    ("button", "friction.better", {}, ""),  # a value without colons unpacked into three parts
    ("button", "escalation.ack", {}, "²"),  # str.isdigit() is true, int() refuses it
    ("button", "prog.done", {}, "²:welcome:1"),
]


@pytest.mark.parametrize(("kind", "name", "values", "raw"), FOUND)
async def test_what_the_fuzzer_found_is_answered(
    people: Runtime, kind: str, name: str, values: dict[str, str], raw: str
) -> None:
    for who in (ADA, UMA):
        if kind == "form":
            event: Clicked | Submitted = Submitted(who, dm(who), name, values, context=raw)
        else:
            event = Clicked(who, dm(who), name, raw)
        assert FAILED not in texts(await people.engine.handle(event))
