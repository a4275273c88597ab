"""Cross-file checks that a schema alone cannot make: every reference must name something that exists.

Gaps in ownership (a role nobody holds, a missing backup) are not problems here: the content is
valid, and readiness reports them. Only references to things that do not exist are.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.content.schema import ROLES, STAGES, Friction, Programme, SystemsFile
from bot.content.yamlfile import Problem, YamlDoc


def check_systems(systems: SystemsFile, doc: YamlDoc) -> list[Problem]:
    problems: list[Problem] = []
    for i, system in enumerate(systems.systems):
        for name, assignment in system.roles.items():
            if name not in ROLES:
                known = ", ".join(ROLES)
                problems.append(
                    doc.problem(("systems", i, "roles", name), f"unknown role {name!r} (known: {known})")
                )
            backup = assignment.backup or ""
            group = backup.removeprefix("group:")
            if backup.startswith("group:") and group not in systems.groups:
                problems.append(
                    doc.problem(
                        ("systems", i, "roles", name, "backup"),
                        f"unknown group {group!r}; add it under groups: at the top of the file",
                    )
                )
    return problems


def check_friction(friction: Friction, doc: YamlDoc) -> list[Problem]:
    problems: list[Problem] = []
    for field, items in (("categories", friction.categories), ("severities", friction.severities)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.key in seen:
                problems.append(doc.problem((field, i, "key"), f"duplicate key {item.key!r} in {field}"))
            seen.add(item.key)
    categories = {c.key for c in friction.categories}
    for i, rule in enumerate(friction.frustration):
        if rule.category is not None and rule.category not in categories:
            problems.append(
                doc.problem(("frustration", i, "category"), f"unknown category {rule.category!r}")
            )
    return problems


def check_programme(
    programme: Programme,
    doc: YamlDoc,
    *,
    stem: str,
    systems: Collection[str],
    templates: Collection[str],
) -> list[Problem]:
    problems: list[Problem] = []
    if programme.key != stem:
        problems.append(doc.problem(("key",), f"key {programme.key!r} must match the file name {stem!r}"))
    if programme.system not in systems:
        problems.append(
            doc.problem(
                ("system",), f"unknown system {programme.system!r} (systems.yaml has: {_list(systems)})"
            )
        )
    steps = {step.key for step in programme.steps}
    for stage in STAGES[1:]:
        rule = getattr(programme.stages, stage)
        for j, key in enumerate(rule.steps_done):
            if key not in steps:
                problems.append(doc.problem(("stages", stage, "steps_done", j), f"unknown step {key!r}"))
    for i, step in enumerate(programme.steps):
        if step.template not in templates:
            problems.append(
                doc.problem(
                    ("steps", i, "template"), f"unknown template {step.template!r} (not in templates/)"
                )
            )
        if step.trigger is not None and step.trigger.step_done is not None:
            target = step.trigger.step_done
            if target not in steps or target == step.key:
                problems.append(
                    doc.problem(("steps", i, "trigger", "step_done"), f"unknown step {target!r} in trigger")
                )
        skip_after = step.skip_if.step_done if step.skip_if is not None else None
        if skip_after is not None and skip_after not in steps:
            problems.append(
                doc.problem(("steps", i, "skip_if", "step_done"), f"unknown step {skip_after!r} in skip_if")
            )
    return problems


def _list(names: Collection[str]) -> str:
    return ", ".join(sorted(names)) or "none"
