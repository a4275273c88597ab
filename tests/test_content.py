"""content/: the shipped example loads clean; broken copies give `file:line: message`; the CLI exits 1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot.content import (
    ROLES,
    ContentError,
    Problem,
    check_content,
    load_content,
    parse_programme,
    programme_version,
)
from tests.conftest import PROJECT

SHIPPED = PROJECT / "content"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED, target)
    return target


def edit(folder: Path, file: str, old: str, new: str) -> int:
    """Replace `old` (which must be there) by `new`; the 1-based line where `new` starts."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}: the shipped content changed, update this test"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def line_of(folder: Path, file: str, needle: str) -> int:
    text = (folder / file).read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def test_shipped_content_loads_and_checks_clean() -> None:
    assert check_content(SHIPPED) == []
    content = load_content(SHIPPED)
    assert set(content.systems) == {"assistant", "contract-review"}
    programme = content.programmes["assistant"]
    assert programme.system == "assistant"
    assert 8 <= len(programme.steps) <= 12
    assert len(programme.version) == 12
    assert content.friction.match("Honestly, this is USELESS!") is not None
    assert content.friction.match("I can’t log in this morning").category == "access"  # type: ignore[union-attr]
    assert content.friction.match("thanks, that was great") is None


def test_shipped_systems_show_a_realistic_mix_for_readiness() -> None:
    content = load_content(SHIPPED)
    assistant = content.systems["assistant"]
    assert all(assistant.role(r).person and assistant.role(r).backup for r in ROLES)
    assert assistant.role("escalation_owner").person == "omar@example.com"
    assert assistant.role("escalation_owner").backup == "bea@example.com"
    review = content.systems["contract-review"]
    assert review.runbook is None
    assert review.role("change_communicator").person is None
    assert review.role("drift_monitor").backup is None
    holders = [review.role(r).person for r in ROLES]
    assert holders.count("lena@example.com") >= 3
    assert content.members(review.role("escalation_owner").backup) == ("lena@example.com", "sam@example.com")


def test_version_follows_the_file_bytes(copy: Path) -> None:
    before = load_content(copy).programmes["assistant"]
    edit(copy, "programmes/assistant.yaml", "priority: 60", "priority: 61")
    after = load_content(copy)
    assert after.programmes["assistant"].version != before.version
    source = after.sources["assistant"]
    assert after.programmes["assistant"].version == programme_version(source)
    assert parse_programme(source) == after.programmes["assistant"]


@pytest.mark.parametrize(
    ("file", "old", "new", "message", "at"),
    [
        pytest.param(
            "programmes/assistant.yaml",
            "  - key: tip-context\n    template:",
            "  - key: tip-context\n      template:",
            "YAML syntax",
            "      template:",
            id="bad-yaml-indentation",
        ),
        pytest.param(
            "programmes/assistant.yaml",
            "template: programmes/assistant/first_task.md.j2",
            "template: programmes/assistant/first_tsak.md.j2",
            "unknown template 'programmes/assistant/first_tsak.md.j2'",
            None,
            id="unknown-template",
        ),
        pytest.param(
            "programmes/assistant.yaml",
            "system: assistant",
            "system: assistent",
            "unknown system 'assistent'",
            None,
            id="unknown-system",
        ),
        pytest.param(
            "programmes/assistant.yaml",
            "trigger: {usage_milestone: 10}",
            "trigger: {step_done: no-such-step}",
            "unknown step 'no-such-step' in trigger",
            None,
            id="unknown-step-in-trigger",
        ),
        pytest.param(
            "programmes/assistant.yaml",
            "    after_working_days: 9\n",
            "    after_working_dayz: 9\n",
            "unknown field 'after_working_dayz'",
            None,
            id="typo-field",
        ),
        pytest.param(
            "programmes/assistant.yaml",
            "    after_working_days: 4\n",
            "    after_working_days: 4\n    after_hours: 2\n",
            "exactly one of after_working_days, after_hours, trigger",
            "- key: tip-context",  # a rule about the whole step points at the step
            id="two-timings",
        ),
        pytest.param(
            "programmes/assistant.yaml",
            "skip_if: {used_system: true}",
            "skip_if: {step_done: welcom}",
            "unknown step 'welcom' in skip_if",
            None,
            id="unknown-step-in-skip-if",
        ),
        pytest.param(
            "programmes/assistant.yaml",
            "onboarded: {steps_done: [welcome]}",
            "onboarded: {steps_done: [welcome, hello]}",
            "unknown step 'hello'",
            None,
            id="unknown-step-in-stage-rule",
        ),
        pytest.param(
            "programmes/assistant.yaml",
            "trigger: {stage_reached: habitual}",
            "trigger: {stage_reached: regular}",
            "stage_reached: Input should be 'invited'",
            None,
            id="unknown-stage",
        ),
        pytest.param(
            "programmes/assistant.yaml",
            "      max: 600\n",
            "      max: -1\n",
            "a number question needs min and max, with min < max",
            "    question:\n      key: minutes_saved",
            id="bad-question-range",
        ),
        pytest.param(
            "systems.yaml",
            "      drift_monitor: {person: lena@example.com}",
            "      drift_monitr: {person: lena@example.com}",
            "unknown role 'drift_monitr'",
            None,
            id="unknown-role",
        ),
        pytest.param(
            "systems.yaml",
            "backup: group:legal-ops",
            "backup: group:legal-opz",
            "unknown group 'legal-opz'",
            None,
            id="unknown-group",
        ),
        pytest.param(
            "systems.yaml",
            "programme_owner: {person: sam@example.com, backup: lena@example.com}",
            "programme_owner: {person: sam-at-example.com, backup: lena@example.com}",
            "'sam-at-example.com' is not an email address",
            None,
            id="bad-email",
        ),
        pytest.param(
            "friction.yaml",
            "    category: speed",
            "    category: sped",
            "unknown category 'sped'",
            None,
            id="unknown-friction-category",
        ),
    ],
)
def test_broken_yaml_is_reported_at_its_line(
    copy: Path, file: str, old: str, new: str, message: str, at: str | None
) -> None:
    line = edit(copy, file, old, new)
    problems = check_content(copy)
    assert any(p.file == file and message in p.message for p in problems), problems
    problem = next(p for p in problems if message in p.message)
    assert problem.line == (line_of(copy, file, at) if at else line), problem
    with pytest.raises(ContentError) as raised:
        load_content(copy)
    assert problem in raised.value.problems


def test_missing_field_points_at_the_step(copy: Path) -> None:
    edit(copy, "programmes/assistant.yaml", "    template: programmes/assistant/wrap_up.md.j2\n", "")
    assert check_content(copy) == [
        Problem(
            "programmes/assistant.yaml",
            line_of(copy, "programmes/assistant.yaml", "- key: wrap-up"),
            "steps[10]: missing required field 'template'",
        )
    ]


def test_duplicate_yaml_keys_are_reported(copy: Path) -> None:
    line = edit(
        copy, "programmes/assistant.yaml", "    priority: 60\n", "    priority: 60\n    priority: 10\n"
    )
    assert Problem("programmes/assistant.yaml", line + 1, "duplicate key 'priority'") in check_content(copy)


def test_undefined_variable_is_reported_at_the_template_line(copy: Path) -> None:
    file = "templates/programmes/assistant/wrap_up.md.j2"
    line = edit(copy, file, "Thank you for giving it a go!", "Thank you, {{ person.nickname }}!")
    problems = check_content(copy)
    assert len(problems) == 1, problems
    assert problems[0].file == file
    assert problems[0].line == line
    assert "nickname" in problems[0].message


def test_jinja_syntax_error_is_reported_at_its_line(copy: Path) -> None:
    file = "templates/generic/stopped.md.j2"
    line = edit(copy, file, "{{ programme.name }}", "{{ programme.name }")
    problems = check_content(copy)
    assert len(problems) == 1, problems
    assert (problems[0].file, problems[0].line) == (file, line)
    assert problems[0].message.startswith("syntax:")


def test_undefined_variable_in_an_included_template_names_that_template(copy: Path) -> None:
    (copy / "templates/generic/footer.md.j2").write_text("Thanks!\n{{ nobody }}\n", encoding="utf-8")
    edit(
        copy,
        "templates/generic/started.md.j2",
        "left off.",
        "left off.\n{% include 'generic/footer.md.j2' %}",
    )
    problems = check_content(copy)
    assert Problem("templates/generic/footer.md.j2", 2, "undefined: 'nobody' is undefined") in problems


def test_samples_yaml_extends_the_sample_context(copy: Path) -> None:
    edit(copy, "templates/generic/started.md.j2", "Welcome back!", "Welcome back, {{ team.name }}!")
    assert [p.file for p in check_content(copy)] == ["templates/generic/started.md.j2"]
    (copy / "samples.yaml").write_text("team:\n  name: Finance\n", encoding="utf-8")
    assert check_content(copy) == []


def test_missing_files_are_reported(copy: Path) -> None:
    (copy / "friction.yaml").unlink()
    assert check_content(copy) == [Problem("friction.yaml", 1, "file not found")]
    assert check_content(copy / "nowhere") == [Problem("", 1, "content folder not found")]


def test_cli_check_prints_file_line_message_and_exits_1(copy: Path) -> None:
    line = edit(copy, "programmes/assistant.yaml", "system: assistant", "system: nope")
    result = CliRunner().invoke(app, ["content", "check", str(copy)])
    assert result.exit_code == 1
    expected = f"{copy / 'programmes/assistant.yaml'}:{line}: unknown system 'nope'"
    assert expected in result.stdout.splitlines()[0]


def test_cli_check_on_clean_content_prints_a_summary(copy: Path) -> None:
    result = CliRunner().invoke(app, ["content", "check", str(copy)])
    assert result.exit_code == 0, result.output
    templates = len(list((copy / "templates").rglob("*.md.j2")))
    assert result.stdout.strip() == f"{copy}: OK, 1 programme (11 steps), 2 systems, {templates} templates"


def test_cli_check_defaults_to_the_configured_folder(copy: Path) -> None:
    edit(copy, "templates/generic/snoozed.md.j2", "{{ snooze.label }}", "{{ snooze.lable }}")
    result = CliRunner().invoke(app, ["content", "check"], env={"COACH_CONTENT_DIR": str(copy)})
    assert result.exit_code == 1
    assert "templates/generic/snoozed.md.j2:1: undefined:" in result.stdout


def test_cli_show_renders_a_template_with_the_sample(copy: Path) -> None:
    result = CliRunner().invoke(app, ["content", "show", "generic/snoozed.md.j2", "--dir", str(copy)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Done, I'll stay quiet until tomorrow at 09:00 your time. 😴"


def test_values_inside_code_spans_read_as_written(copy: Path) -> None:
    """Escapes hold inside `code`, so an escaped value there shows no backslashes."""
    from bot.markdown import parse

    edit(copy, "templates/generic/stopped.md.j2", "typing `start`", "typing `start {{ programme.key }}`")
    assert check_content(copy) == []
    markdown = load_content(copy).render("generic/stopped.md.j2", programme={"name": "P", "key": "a-b_[c]`d"})
    codes = [span.text for line in parse(markdown) for span in line.spans if span.kind == "code"]
    assert codes == ["start a-b_[c]`d"]


def test_values_between_code_spans_are_fine(copy: Path) -> None:
    edit(
        copy,
        "templates/generic/stopped.md.j2",
        "typing `start`.",
        "typing `start`, {{ programme.key }} or `help`.",
    )
    assert check_content(copy) == []
