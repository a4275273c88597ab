"""Reading content/ whole: every file parsed, validated, cross-checked and every template rendered once."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from bot.content.check import check_friction, check_programme, check_systems
from bot.content.sample import sample_context
from bot.content.schema import DutiesFile, Friction, Programme, System, SystemsFile
from bot.content.templates import check_template, make_environment, template_names
from bot.content.yamlfile import ContentError, Problem, YamlDoc, parse_yaml, read_yaml, validate

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Content:
    """Validated content, loaded once at start-up and handed to flows (read-only)."""

    directory: Path
    systems: Mapping[str, System]
    groups: Mapping[str, tuple[str, ...]]
    holidays: tuple[date, ...]
    programmes: Mapping[str, Programme]
    sources: Mapping[str, str]  # programme key -> its YAML text, to store beside its version
    friction: Friction
    templates: tuple[str, ...]
    sample: Mapping[str, Any]  # the context `check` renders templates with (samples.yaml included)
    env: SandboxedEnvironment = field(repr=False, compare=False)
    duties: DutiesFile | None = None  # duties.yaml, optional: without it the evidence report lists no duties

    def render(self, template_name: str, /, **context: object) -> str:
        """Render `templates/<template_name>` to neutral markdown; str values are escaped."""
        return self.env.get_template(template_name).render(context).strip()

    def members(self, assignee: str | None) -> tuple[str, ...]:
        """The emails behind a role holder or backup: an email, or every member of `group:NAME`."""
        if not assignee:
            return ()
        if assignee.startswith("group:"):
            return self.groups.get(assignee.removeprefix("group:"), ())
        return (assignee,)

    def summary(self) -> str:
        steps = sum(len(p.steps) for p in self.programmes.values())
        return (
            f"{_n(len(self.programmes), 'programme')} ({_n(steps, 'step')}), "
            f"{_n(len(self.systems), 'system')}, {_n(len(self.templates), 'template')}"
        )


def load_content(directory: Path) -> Content:
    """Load content/ or raise `ContentError` listing every problem (used at start-up: fail fast)."""
    content, problems = _read(Path(directory))
    if problems or content is None:
        raise ContentError(problems)
    return content


def check_content(directory: Path) -> list[Problem]:
    """Every problem in content/, each with its file (relative to `directory`) and line."""
    return _read(Path(directory))[1]


def programme_version(source: str) -> str:
    """A short hash of a programme file's text: any edit gives a new version."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def parse_programme(source: str, *, file: str = "programme.yaml") -> Programme:
    """A programme from stored YAML text (e.g. an old version someone is still on), versioned."""
    doc, problems = parse_yaml(source, file=file)
    programme, more = validate(Programme, doc) if doc is not None else (None, [])
    if problems or more or programme is None:
        raise ContentError(problems + more)
    return programme.model_copy(update={"version": programme_version(source)})


def _read(directory: Path) -> tuple[Content | None, list[Problem]]:
    if not directory.is_dir():
        return None, [Problem("", 1, "content folder not found")]
    problems: list[Problem] = []
    template_dir = directory / "templates"
    templates = template_names(template_dir) if template_dir.is_dir() else []
    if not template_dir.is_dir():
        problems.append(Problem("templates", 1, "templates folder not found"))

    systems, doc, found = _read_model(directory, "systems.yaml", SystemsFile)
    problems += found
    if systems is not None and doc is not None:
        problems += check_systems(systems, doc)
    friction, doc, found = _read_model(directory, "friction.yaml", Friction)
    problems += found
    if friction is not None and doc is not None:
        problems += check_friction(friction, doc)

    duties: DutiesFile | None = None
    if (directory / "duties.yaml").is_file():
        duties, _doc, found = _read_model(directory, "duties.yaml", DutiesFile)
        problems += found

    system_keys = {s.key for s in systems.systems} if systems is not None else None
    programmes, sources, found = _read_programmes(directory, systems=system_keys, templates=templates)
    problems += found

    env = make_environment(template_dir)
    context, found = _sample(directory)
    problems += found
    for name in templates:
        problems += check_template(env, name=name, context=context, root=template_dir)

    if problems or systems is None or friction is None:
        return None, problems
    content = Content(
        directory=directory,
        systems={s.key: s for s in systems.systems},
        groups=dict(systems.groups),
        holidays=systems.holidays,
        programmes=programmes,
        sources=sources,
        friction=friction,
        templates=tuple(templates),
        sample=context,
        env=env,
        duties=duties,
    )
    return content, []


def _read_programmes(
    directory: Path, *, systems: set[str] | None, templates: list[str]
) -> tuple[dict[str, Programme], dict[str, str], list[Problem]]:
    programmes: dict[str, Programme] = {}
    sources: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted((directory / "programmes").glob("*.y*ml")):
        file = f"programmes/{path.name}"
        try:
            source = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(file, 1, f"cannot read: {exc}"))
            continue
        doc, found = parse_yaml(source, file=file)
        programme, more = validate(Programme, doc) if doc is not None else (None, [])
        problems += found + more
        if programme is None or doc is None:
            continue
        if systems is not None:  # unknown systems are noise when systems.yaml itself is broken
            stem = path.name.split(".")[0]
            problems += check_programme(programme, doc, stem=stem, systems=systems, templates=templates)
        programmes[programme.key] = programme.model_copy(update={"version": programme_version(source)})
        sources[programme.key] = source
    return programmes, sources, problems


def _read_model(directory: Path, name: str, model: type[M]) -> tuple[M | None, YamlDoc | None, list[Problem]]:
    path = directory / name
    if not path.is_file():
        return None, None, [Problem(name, 1, "file not found")]
    doc, problems = read_yaml(path, file=name)
    if doc is None:
        return None, None, problems
    value, found = validate(model, doc)
    return value, doc, problems + found


def _sample(directory: Path) -> tuple[dict[str, Any], list[Problem]]:
    path = directory / "samples.yaml"
    if not path.is_file():
        return sample_context(), []
    doc, problems = read_yaml(path, file="samples.yaml")
    if doc is None:
        return sample_context(), problems
    if doc.data is None:
        return sample_context(), problems
    if not isinstance(doc.data, dict):
        return sample_context(), [*problems, Problem("samples.yaml", 1, "expected a mapping at the top")]
    return sample_context(doc.data), problems


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
