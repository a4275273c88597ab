"""The README's tables say what the product does (#13): every chat command the help registry knows is in
"Chat commands" with the roles that may use it, and nothing else is; every setting in bot/config.py is in
"Configuration" with its default; every `coach` command and option in "The `coach` command" exists and
every visible one is listed; the commands "Try every flow" tells people to type are commands."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.config import Settings
from bot.flows import build_router
from tests.conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")

# Who may use a command, in the README's words: from its least role and its finer rule, if any.
WHO = {
    ("user", None): "everyone",
    ("owner", None): "system owners and admins",
    ("admin", None): "admins",
    ("user", "may_announce"): "admins and change communicators",
    ("user", "may_report"): "admins, change communicators and anyone who announced before",
    ("user", "looks_after_reports"): "programme owners, their backups and admins",
    ("user", "monitors_drift"): "drift monitors, their backups and admins",
    ("user", "decides_retraining"): "retraining deciders, their backups and admins",
    ("user", "reads_log"): "system owners, drift monitors, retraining deciders, their backups and admins",
    ("user", "may_drill"): "admins, and stand-ins during a drill",
    ("user", "stands_in"): "stand-ins during a drill",
    ("user", "holds_a_role"): "anyone who holds or backs up a role",
    ("user", "owns_something"): "system owners, their backups and admins",
}


def table(heading: str) -> list[list[str]]:
    """The first table after `heading`: its rows (header and rule left out), cells with `\\|` unescaped."""
    section = README.split(f"\n{heading}\n", 1)[1]
    lines = [line for line in section.split("\n## ", 1)[0].splitlines() if line.startswith("|")]
    assert len(lines) > 2, f"no table under {heading}"
    rows = []
    for line in lines[2:]:
        cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
        rows.append([cell.strip().replace("\\|", "|") for cell in cells])
    return rows


def code(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def commands() -> dict[str, tuple[str, str | None]]:
    """Every usage help can list -> (least role, finer rule's name)."""
    found: dict[str, tuple[str, str | None]] = {}
    for command in build_router().commands.values():
        found[command.usage or command.name] = (command.role, getattr(command.allowed, "__name__", None))
        for more in command.more:
            found[more.usage] = (more.role, getattr(more.allowed, "__name__", None))
    return found


def test_chat_commands_table_lists_every_command_with_who_may_use_it() -> None:
    rows = {code(row[0])[0]: row[1] for row in table("## Chat commands")}
    known = commands()
    assert set(rows) - set(known) == set(), "in the README, not a command"
    assert set(known) - set(rows) == set(), "a command the README's Chat commands leaves out"
    for usage, (role, rule) in known.items():
        assert rows[usage] == WHO[(role, rule)], usage


def test_configuration_table_documents_every_setting_with_its_default() -> None:
    documented: dict[str, str | None] = {}
    for row in table("## Configuration"):
        names, defaults = code(row[0]), code(row[1])
        for n, name in enumerate(names):
            documented[name] = defaults[n] if len(defaults) == len(names) else None
    fields = {field.alias: field for field in Settings.model_fields.values() if field.alias}
    assert set(documented) - set(fields) == set(), "in the README, not a setting"
    assert set(fields) - set(documented) == set(), "a setting the README's Configuration leaves out"
    for name, default in documented.items():
        value: Any = fields[name].default
        if default is not None and value not in (None, ""):  # empty: built-in defaults the cell spells out
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            assert default == shown, name


def cli_commands() -> dict[str, set[str]]:
    """Every visible `coach` command path -> its options."""
    import typer

    from adapters.cli import app

    found: dict[str, set[str]] = {}

    def walk(command: Any, path: list[str]) -> None:
        if getattr(command, "hidden", False):
            return
        options = {opt for p in command.params for opt in getattr(p, "opts", ()) if opt.startswith("-")}
        if hasattr(command, "commands"):
            if path and command.invoke_without_command:
                found[" ".join(path)] = options
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = options

    walk(typer.main.get_command(app), [])
    return found


def test_coach_command_table_names_every_command_and_only_real_options() -> None:
    known = cli_commands()
    listed: set[str] = set()
    for row in table("## The `coach` command"):
        for text in code(row[0]):
            words = text.split()
            assert words[0] == "coach", text
            path = next(
                (p for p in sorted(known, key=len, reverse=True) if words[1:][: len(p.split())] == p.split()),
                None,
            )
            assert path is not None, f"{text}: no such command"
            listed.add(path)
            options = {w.strip("[]") for w in words if w.lstrip("[").startswith("--")}
            assert options <= known[path], f"{text}: no option {options - known[path]}"
    assert set(known) - listed == set(), "a command the README's `coach` table leaves out"


@pytest.mark.parametrize("row", table("## Try every flow in the local chat"), ids=lambda row: row[0])
def test_what_try_every_flow_says_to_type_are_commands(row: list[str]) -> None:
    router = build_router()
    names = {alias for command in router.commands.values() for alias in (command.name, *command.aliases)}
    for text in code(row[1]):
        first = text.removeprefix("@coach ").split()[0].lower()
        assert first in names, f"{row[0]}: `{text}` is not a command"
