"""Wording that reads right with real values: every template with 0, 1 and many, and the helpers."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest

from bot.content import Content, load_content
from bot.markdown import plain_text
from bot.wording import day_and_time, excerpt, number, plural
from tests.conftest import PROJECT

TEMPLATES = load_content(PROJECT / "content").templates
COUNTS = {  # the counts in the sample context, by where they are
    "stats": ("uses", "active_days", "minutes_saved", "weeks"),
    "step": ("number", "total"),
    "digest": ("count", "urgent"),
}
MANY = {0: 0, 1: 1, "many": 12}


def with_counts(sample: dict[str, Any], count: int) -> dict[str, Any]:
    context = {key: dict(value) if isinstance(value, dict) else value for key, value in sample.items()}
    for group, names in COUNTS.items():
        context[group].update({name: count for name in names})
    hours = {0: 1.0, 1: 1.0, 12: 16.0}[count]  # an SLA is never 0 hours; 16.0 is how YAML gives 16
    context["system"] = {**context["system"], "sla": {"acknowledge_hours": hours, "answer_hours": hours}}
    return context


WRONG = {
    "a count of 1 with a plural noun": re.compile(r"(?<![\d.,:/-])1 (?:[a-z]+ )?[a-z]+s\b"),
    "a count of 0 (say no, or leave it out)": re.compile(r"(?<![\d.,:/-])0 (?!is\b)[a-z]"),
    "a whole number shown with .0": re.compile(r"\d\.0\b"),
}


@pytest.mark.parametrize("count", list(MANY), ids=[f"count={c}" for c in MANY])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_reads_right_with_0_1_and_many(content: Content, template: str, count: Any) -> None:
    text = plain_text(content.render(template, **with_counts(dict(content.sample), MANY[count])))
    found = [f"{why}: {m.group(0)!r} in {text!r}" for why, rx in WRONG.items() for m in rx.finditer(text)]
    assert not found


def test_the_reported_sentences_read_right(content: Content) -> None:
    def render(name: str, count: int) -> str:
        return plain_text(content.render(name, **with_counts(dict(content.sample), count)))

    assert "That's 0 times" not in render("programmes/assistant/ten_uses.md.j2", 0)
    assert "You've used Compass for the first time" in render("programmes/assistant/ten_uses.md.j2", 1)
    assert "That's 12 times you've used Compass" in render("programmes/assistant/ten_uses.md.j2", 12)
    assert "regular Compass users." in render("programmes/assistant/champion_invite.md.j2", 0)
    assert "1 active day in the last" in render("programmes/assistant/champion_invite.md.j2", 1)
    assert "within 16 working hours" in render("programmes/assistant/tip_check_sources.md.j2", 12)
    assert "within 1 working hour." in render("programmes/assistant/tip_check_sources.md.j2", 1)
    assert "digest: no new reports." in render("friction/digest.md.j2", 0)
    assert "digest: 1 new report, and 1 that blocked" in render("friction/digest.md.j2", 1)


def test_numbers_and_plurals() -> None:
    assert [number(v) for v in (16.0, 1.25, 1500, 0.04, 2.5)] == ["16", "1.2", "1,500", "0", "2.5"]
    assert plural(1, "working hour") == "1 working hour"
    assert plural(16.0, "working hour") == "16 working hours"
    assert plural(1.5, "day") == "1.5 days"
    assert plural(0, "new report") == "no new reports"
    assert plural(1, "person", "people") == "1 person" and plural(3, "person", "people") == "3 people"


FRIDAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (datetime(2026, 11, 27, 15, 0), "today at 15:00"),
        (datetime(2026, 11, 28, 9, 0), "tomorrow at 09:00"),
        (datetime(2026, 11, 30, 9, 0), "Monday at 09:00"),  # "tomorrow morning", asked on a Friday
        (datetime(2026, 12, 4, 9, 0), "Friday 4 December at 09:00"),
    ],
)
def test_days_are_named_as_they_are(moment: datetime, words: str) -> None:
    assert day_and_time(moment, today=FRIDAY) == words


def test_an_excerpt_says_it_is_one() -> None:
    assert excerpt("short enough", 20) == "short enough"
    cut = excerpt("The renewal is in April per clause four point two", 30)
    assert cut == "The renewal is in April per…" and len(cut) <= 30
    assert excerpt("x" * 50, 10) == "x" * 9 + "…"  # no word boundary near: cut mid-word, still marked
