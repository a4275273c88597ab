"""Content files as a careless or hostile editor writes them: `coach content check` answers with
`file:line` problems, never an exception; a template cannot reach Python's insides (the Jinja sandbox)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SecurityError

from bot.content.loader import check_content
from bot.content.templates import make_environment
from tests.conftest import PROJECT
from tests.fuzz.mutate import mutated

# Each example checks a whole content folder (~0.15 s): a fiftieth of the profile's examples, at least 12.
CONTENT_EXAMPLES = settings(max_examples=max(12, settings.default.max_examples // 50))
YAML_FILES = ["systems.yaml", "friction.yaml", "programmes/assistant.yaml"]
TEMPLATE = "generic/started.md.j2"

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self.__init__.__globals__.__builtins__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ programme.__class__.__init__.__globals__ }}",
    "{{ link.__globals__ }}",
    "{{ link.__code__.co_consts }}",
    "{% set x = [].__class__ %}{{ x.__subclasses__() }}",
    "{{ [].append.__self__ }}",
    "{{ {}.update(a=1) }}",
    "{{ ''.format.__globals__ }}",
    "{{ 'x'.join.__self__.__class__ }}",
    "{{ range(10**9)|list }}",
    "{% include '/etc/passwd' %}",
    "{% include '../../../../etc/passwd' %}",
    "{% extends '../systems.yaml' %}",
    "{% import 'os' as os %}",
    "{{ config }}{{ request }}{{ url_for }}",
    "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
]
SECRET_MARKERS = ("uid=", "root:", "<class", "__builtins__", "function ", "<built-in", "module ")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(PROJECT / "content", target)
    return target


def _restore(folder: Path, name: str) -> None:
    shutil.copyfile(PROJECT / "content" / name, folder / name)


@CONTENT_EXAMPLES
@given(data=st.data())
def test_broken_yaml_is_reported_as_problems(folder: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(YAML_FILES))
    original = yaml.safe_load((PROJECT / "content" / name).read_text())
    broken = data.draw(mutated(original))
    try:
        (folder / name).write_text(yaml.safe_dump(broken, allow_unicode=True))
        problems = check_content(folder)
    finally:
        _restore(folder, name)
    assert all(p.file and p.line >= 1 and p.message for p in problems)


@CONTENT_EXAMPLES
@given(text=st.text(max_size=300) | st.binary(max_size=100).map(lambda b: b.decode("latin-1")))
@example(text="key: [unclosed")
@example(text="a: &a [*a]")  # an alias pointing into itself: a RecursionError
@example(text="\x08")  # a control character: refused before the parser's try
@example(text="- !!python/object/apply:os.system ['id']")
@example(text="x: " + "[" * 200 + "]" * 200)
def test_any_text_as_a_content_file_is_reported_as_problems(folder: Path, text: str) -> None:
    name = YAML_FILES[len(text) % len(YAML_FILES)]  # each file in turn, one check per example
    try:
        (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        problems = check_content(folder)
    finally:
        _restore(folder, name)
    assert text.strip() == "" or problems or name == "friction.yaml"


@pytest.mark.parametrize("attack", ESCAPES)
def test_a_template_cannot_reach_python(folder: Path, attack: str) -> None:
    try:
        (folder / "templates" / TEMPLATE).write_text(f"Welcome back!\n{attack}\n")
        problems = check_content(folder)
    finally:
        _restore(folder, f"templates/{TEMPLATE}")
    shown = " ".join(p.message for p in problems)
    assert problems, attack
    assert not any(marker in shown for marker in SECRET_MARKERS), shown


@pytest.mark.parametrize("attack", ESCAPES)
def test_the_sandbox_refuses_escapes_outright(folder: Path, attack: str) -> None:
    env = make_environment(folder / "templates")
    with pytest.raises((SecurityError, jinja2.UndefinedError, jinja2.TemplateError, OverflowError)):
        env.from_string(attack).render(programme={"name": "Compass"}, link=None)


@CONTENT_EXAMPLES
@given(source=st.lists(st.sampled_from(["{{", "}}", "{%", "%}", "{#", "#}", " x ", " if ", " for ",
                                        " in ", " endfor ", " endif ", "|", " plural ", "(", ")", "'",
                                        " programme.name ", " include ", " set ", "=", "\n", "text"]),
                       max_size=12).map("".join))  # fmt: skip
def test_any_template_text_is_reported_as_problems(folder: Path, source: str) -> None:
    try:
        (folder / "templates" / TEMPLATE).write_text(source)
        problems = check_content(folder)
    finally:
        _restore(folder, f"templates/{TEMPLATE}")
    assert all(p.file and p.line >= 1 for p in problems)


def test_values_are_text_never_template_code(folder: Path) -> None:
    env = make_environment(folder / "templates")
    hostile: dict[str, Any] = {"name": "{{ 7*7 }}{% include 'generic/stopped.md.j2' %}"}
    shown = env.get_template(TEMPLATE).render(programme=hostile)
    assert "{{ 7\\*7 }}{% include 'generic/stopped.md.j2' %}" in shown  # as typed, markdown escaped
