"""The Teams fixtures (a local Bot Framework and the real app over HTTP), for the Teams walk-through."""

from __future__ import annotations

from tests.teams.conftest import bf, client, teams, teams_runtime, teams_settings

__all__ = ["bf", "client", "teams", "teams_runtime", "teams_settings"]
