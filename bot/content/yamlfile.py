"""YAML with line numbers: parse once into nodes and data, and point any error back at its line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
Loc = Sequence[str | int]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with content/: `file` is relative to the content folder, `line` is 1-based."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(Exception):
    """Content could not be loaded; `problems` says where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        shown = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} problem(s) in content:\n{shown}{more}")


@dataclass(frozen=True)
class YamlDoc:
    file: str
    data: object
    root: yaml.Node | None

    def line(self, loc: Loc) -> int:
        """The line of the deepest node `loc` reaches; parts that match nothing are skipped."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                        node, line = value, key.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
        return line

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.file, self.line(loc), message)


def read_yaml(path: Path, *, file: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Read and parse `path`; see `parse_yaml`."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file, 1, f"cannot read: {exc}")]
    return parse_yaml(text, file=file)


def parse_yaml(text: str, *, file: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse YAML text; a syntax error becomes a Problem at the line PyYAML marks."""
    try:
        loader = yaml.SafeLoader(text)  # refuses control characters already
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, f"YAML syntax: {exc}")]
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = " ".join(part for part in (exc.context, exc.problem) if part)
        return None, [Problem(file, line, f"YAML syntax: {reason}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, f"YAML syntax: {exc}")]
    except RecursionError:  # PyYAML composes and constructs recursively
        return None, [Problem(file, 1, "YAML nested too deeply")]
    finally:
        loader.dispose()
    doc = YamlDoc(file=file, data=data, root=root)
    return doc, _duplicate_keys(doc, root)


def _duplicate_keys(doc: YamlDoc, root: yaml.Node | None) -> list[Problem]:
    # PyYAML silently keeps the last of two equal keys; a reviewer would never spot the lost one.
    # Walked without recursion, each node once: an alias may point back into its own node (`a: &a [*a]`).
    problems: list[Problem] = []
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        problems.append(
                            Problem(doc.file, key.start_mark.line + 1, f"duplicate key {key.value!r}")
                        )
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return sorted(problems, key=lambda p: p.line)


def validate(model: type[M], doc: YamlDoc) -> tuple[M | None, list[Problem]]:
    """Validate `doc` against `model`, one Problem per pydantic error at the offending line."""
    if not isinstance(doc.data, dict):
        return None, [Problem(doc.file, 1, "expected a mapping of fields (key: value) at the top")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            problems.append(doc.problem(loc, _message(loc, error["type"], error["msg"])))
        return None, problems


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(loc: Loc, kind: str, msg: str) -> str:
    if kind == "missing" and loc:
        where = f"{dotted(loc[:-1])}: " if len(loc) > 1 else ""
        return f"{where}missing required field {loc[-1]!r}"
    if kind == "extra_forbidden" and loc:
        where = f"{dotted(loc[:-1])}: " if len(loc) > 1 else ""
        return f"{where}unknown field {loc[-1]!r}"
    msg = msg.removeprefix("Value error, ")
    return f"{dotted(loc)}: {msg}" if loc else msg
