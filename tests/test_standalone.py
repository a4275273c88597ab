"""The repository stands alone: a clone with nothing beside it runs its own tests and code."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import PROJECT, SCHEMAS

# The shared folder (`../shared`, `... / "shared"`) sits beside the clone only on the machine it was
# written on; a user's `git clone` has nothing there.
OUTSIDE = re.compile(r"""\.\./shared|/\s*["']shared["']""")


def test_no_code_or_test_reads_a_folder_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(PROJECT)}:{number}"
        for folder in ("bot", "adapters", "tests", "bench")
        for path in (PROJECT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if OUTSIDE.search(line.split("#", 1)[0]) and path != Path(__file__)
    ]
    assert offenders == []


def test_vendored_schemas_carry_their_licences() -> None:
    for folder in ("slack", "teams", "adaptive-cards", "compose"):
        assert list((SCHEMAS / folder).glob("LICENSE-*.txt")), folder
    assert (SCHEMAS / "README.md").read_text().count("| `") >= 5  # one provenance row per file
