"""matplotlib is imported by the first chart drawn, never by starting the coach (`coach run`'s imports)."""

from __future__ import annotations

import subprocess
import sys


def test_starting_the_coach_does_not_import_matplotlib() -> None:
    probe = "import sys, adapters.cli, adapters.cli.server, adapters.web.app, adapters.runtime; print('matplotlib' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"
