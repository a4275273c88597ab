"""Templates: every value escaped unless Trusted, safe links, the sandbox; and the schema's small rules."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pytest
from jinja2.exceptions import SecurityError
from pydantic import ValidationError

from bot.content import (
    Button,
    Content,
    Problem,
    Question,
    Step,
    Trigger,
    Trusted,
    check_content,
    load_content,
    stage_index,
)
from bot.markdown import parse
from tests.conftest import PROJECT


@pytest.fixture
def content(tmp_path: Path) -> Content:
    folder = tmp_path / "content"
    shutil.copytree(PROJECT / "content", folder)
    (folder / "templates/test").mkdir()
    (folder / "templates/test/echo.md.j2").write_text("Hello {{ value }}, see {{ link('guide', url) }}.\n")
    (folder / "samples.yaml").write_text("value: Uma\nurl: https://wiki.example.com/guide\n")
    return load_content(folder)


@pytest.mark.parametrize("value", ["[click](https://evil.example.com)", "**x**", "_y_ `z` > q", "- a\n- b"])
def test_person_text_becomes_plain_text(content: Content, value: str) -> None:
    markdown = content.render("test/echo.md.j2", value=value, url="https://wiki.example.com/guide")
    lines = parse(markdown)
    spans = [span for line in lines for span in line.spans]
    assert all(line.kind == "para" for line in lines)
    assert [s.kind for s in spans if s.kind != "text"] == ["link"]  # only the template's own link
    assert value.replace("\n", "") in "".join(line.plain for line in lines).replace("\n", "")


def test_trusted_markdown_is_inserted_as_is(content: Content) -> None:
    markdown = content.render("test/echo.md.j2", value=Trusted("**Uma**"), url="https://x.example.com")
    assert parse(markdown)[0].spans[1].kind == "bold"


def test_values_that_are_not_strings_are_rendered_and_none_is_empty(content: Content) -> None:
    assert content.render("test/echo.md.j2", value=42, url=None) == "Hello 42, see guide."
    assert content.render("test/echo.md.j2", value=None, url="") == "Hello , see guide."


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.com/a", "not a url"])
def test_link_drops_unsafe_urls(content: Content, url: str) -> None:
    markdown = content.render("test/echo.md.j2", value="Uma", url=url)
    assert markdown == "Hello Uma, see guide."


def test_link_encodes_characters_that_would_end_the_url(content: Content) -> None:
    markdown = content.render("test/echo.md.j2", value="Uma", url="https://x.example.com/a_(b) c")
    link = next(s for line in parse(markdown) for s in line.spans if s.kind == "link")
    assert link.url == "https://x.example.com/a_%28b%29%20c"


def test_missing_variable_raises(content: Content) -> None:
    with pytest.raises(jinja2.UndefinedError):
        content.render("test/echo.md.j2", url="https://x.example.com")


def test_sandbox_refuses_internals(content: Content, tmp_path: Path) -> None:
    folder = content.directory
    (folder / "templates/test/evil.md.j2").write_text("{{ ''.__class__.__mro__ }}\n")
    fresh = content.env.overlay()  # a new cache, so the template just written is compiled
    with pytest.raises(SecurityError):
        fresh.get_template("test/evil.md.j2").render()
    problems = check_content(folder)
    assert [(p.file, p.line) for p in problems] == [("templates/test/evil.md.j2", 1)]
    assert "unsafe" in problems[0].message


def test_when_formats_dates(content: Content) -> None:
    (content.directory / "templates/test/when.md.j2").write_text("Due {{ at | when }}\n")
    fresh = content.env.overlay()
    at = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert fresh.get_template("test/when.md.j2").render(at=at) == "Due Tuesday 24 November at 13:00"


def test_problem_prints_as_file_line_message() -> None:
    assert str(Problem("systems.yaml", 3, "unknown role 'x'")) == "systems.yaml:3: unknown role 'x'"


# --- the schema's small rules --------------------------------------------------------------------


def test_buttons_are_written_as_words_or_links() -> None:
    assert Button.model_validate("snooze").action == "snooze"
    link = Button.model_validate({"link": {"label": "Open", "url": "https://compass.example.com"}})
    assert (link.action, link.label, link.url) == ("link", "Open", "https://compass.example.com")
    with pytest.raises(ValidationError):
        Button.model_validate({"link": {"label": "Open", "url": "javascript:alert(1)"}})
    with pytest.raises(ValidationError):
        Button.model_validate("dance")


def test_trigger_and_step_timing_need_exactly_one() -> None:
    with pytest.raises(ValidationError):
        Trigger.model_validate({"inactive_days": 5, "usage_milestone": 3})
    with pytest.raises(ValidationError):
        Step.model_validate({"key": "a", "template": "a.md.j2"})
    step = Step.model_validate({"key": "a", "template": "a.md.j2", "trigger": {"stage_reached": "habitual"}})
    assert step.trigger is not None and step.trigger.stage_reached == "habitual"


def test_questions_need_a_range_or_options() -> None:
    with pytest.raises(ValidationError):
        Question.model_validate({"key": "q", "prompt": "?", "kind": "scale", "min": 5, "max": 1})
    with pytest.raises(ValidationError):
        Question.model_validate({"key": "q", "prompt": "?", "kind": "choice", "options": ["only"]})


def test_stages_are_ordered() -> None:
    assert stage_index("invited") < stage_index("activated") < stage_index("champion")


def test_templates_cannot_change_what_flows_pass(content: Content) -> None:
    (content.directory / "templates/test/mutate.md.j2").write_text("{{ person.update({'email': 'x'}) }}\n")
    person = {"email": "uma@example.com"}
    with pytest.raises(SecurityError):
        content.env.overlay().get_template("test/mutate.md.j2").render(person=person)
    assert person == {"email": "uma@example.com"}
