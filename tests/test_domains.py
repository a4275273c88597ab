"""bot.flows.DOMAINS names every domain's flows and hooks: a hook a domain defines but DOMAINS leaves out
would never run, and nothing else would say so."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import bot
from bot.flows import DOMAINS

HOOKS = ("handlers", "after_sent", "async_handlers")


def test_every_flows_and_hooks_module_is_listed() -> None:
    listed = {domain.name: domain for domain in DOMAINS}
    for package in pkgutil.iter_modules(bot.__path__):
        if not package.ispkg:
            continue
        for name in ("flows", "hooks"):
            try:
                module = importlib.import_module(f"bot.{package.name}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name == f"bot.{package.name}.{name}":
                    continue
                raise
            domain = listed.get(package.name)
            assert domain is not None, f"bot.{package.name}.{name} exists but DOMAINS has no {package.name}"
            if name == "flows" and hasattr(module, "register"):
                assert domain.register is module.register, f"DOMAINS leaves out bot.{package.name}.flows"
            if name == "hooks":
                for hook in HOOKS:
                    if hasattr(module, hook):
                        assert getattr(domain, hook) is getattr(module, hook), (
                            f"DOMAINS leaves out bot.{package.name}.hooks.{hook}"
                        )


def test_one_word_for_each_file_role() -> None:
    """Due work is `due.py` and the engine's registrations `hooks.py` in every domain (ARCHITECTURE.md)."""
    root = Path(bot.__path__[0])
    assert not sorted(str(p.relative_to(root)) for p in root.glob("*/jobs.py"))
    assert not sorted(str(p.relative_to(root)) for p in root.glob("*/scheduled.py"))


ROLES = ("models", "service", "flows", "messages", "actions", "notices", "due", "hooks")


def test_architecture_lists_every_domain_and_its_files() -> None:
    """ARCHITECTURE.md's table of domains says which file of each role a domain has, and its own files."""
    root = Path(bot.__path__[0])
    text = (root.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    header = "| domain | " + " | ".join(ROLES) + " | its own |"
    assert header in text
    rows = text.split(header, 1)[1].split("\n\n", 1)[0].strip().splitlines()[1:]
    listed: dict[str, set[str]] = {}
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        name, marks, own = cells[0], cells[1 : 1 + len(ROLES)], cells[-1]
        listed[name] = {r for r, m in zip(ROLES, marks, strict=True) if m} | {o for o in own.split(", ") if o}
    actual = {
        package.name: {p.stem for p in (root / package.name).glob("*.py") if p.stem != "__init__"}
        for package in pkgutil.iter_modules(bot.__path__)
        if package.ispkg and package.name in {d.name for d in DOMAINS} | set(listed)
    }
    assert listed == actual, (
        "a domain's files changed: update the table under ARCHITECTURE.md's 'The domains'"
    )


def test_architecture_draws_the_layers_the_contract_checks() -> None:
    """The layer picture in ARCHITECTURE.md's import rules names, row by row, every package of the
    matching layer in pyproject.toml's layers contract (which import-linter enforces)."""
    import re
    import tomllib

    root = Path(bot.__file__).resolve().parent.parent
    contracts = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c["layers"] for c in contracts["contracts"] if c.get("type") == "layers")
    text = (root / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = text.split("`bot` is layered", 1)[1].split("```", 2)[1]
    rows: list[str] = []
    for line in block.splitlines()[1:]:
        if line.strip():
            if line[2] != " ":
                rows.append(line)
            else:
                rows[-1] += " " + line
    assert len(rows) == len(layers), rows
    for row, layer in zip(rows, layers, strict=True):
        missing = [m for m in layer.split(" : ") if not re.search(rf"\b{re.escape(m.split('.')[0])}\b", row)]
        assert not missing, f"ARCHITECTURE.md's row {row.split()[0]!r} leaves out {missing}"
