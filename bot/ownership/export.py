"""`coach ownership export`: the registry as it stands (changes made in chat included) written back into
systems.yaml, so configuration-as-code keeps one source of truth. Everything else in the file is kept;
its leading comment block is kept word for word, comments further down are not (YAML has no round trip
for them in the library the project uses)."""

from __future__ import annotations

from typing import Any

import yaml
from sqlmodel import Session

from bot.content import ROLES
from bot.content.schema import SystemsFile
from bot.ownership import service
from bot.people.models import Person

HEADER = "# Roles written back by `coach ownership export` from the coach's registry.\n"


def export_yaml(*, session: Session, source: str) -> tuple[str, list[str]]:
    """The new systems.yaml text, and the roles it could not write (a holder known by no email)."""
    data: dict[str, Any] = yaml.safe_load(source) or {}
    problems: list[str] = []
    for system in data.get("systems", []):
        key = system.get("key")
        rows = {a.role: a for a in service.assignments(session=session, system=key)}
        roles: dict[str, dict[str, str]] = {}
        for role in ROLES:
            row = rows.get(role)
            if row is None:
                if role in (system.get("roles") or {}):
                    roles[role] = system["roles"][role]
                continue
            entry: dict[str, str] = {}
            person = session.get(Person, row.person_id) if row.person_id else None
            if person is not None and person.email:
                entry["person"] = person.email
            elif person is not None:
                problems.append(f"{key} {role}: its holder has no email address, so it is left out")
            if row.backup:
                entry["backup"] = row.backup
            if entry:
                roles[role] = entry
        system["roles"] = roles
    SystemsFile.model_validate(data)  # what is written must load again
    lines = source.splitlines(keepends=True)
    header = "".join(line for line in _leading_comments(lines))
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    return header + (HEADER if HEADER not in header else "") + "\n" + body, problems


def _leading_comments(lines: list[str]) -> list[str]:
    kept = []
    for line in lines:
        if line.startswith("#") or not line.strip():
            kept.append(line)
        else:
            break
    while kept and not kept[-1].strip():
        kept.pop()
    return kept
