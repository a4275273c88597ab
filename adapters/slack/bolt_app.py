"""Bolt's AsyncApp, built from the coach's settings only.

Bolt falls back to SLACK_BOT_TOKEN from the environment when it is not given a token, and then, because
the coach gives it a client (with SLACK_API_URL as its base and the coach's retry handlers), logs "As you
gave `client` as well, `token` will be unused" at every start. The coach's client already holds the token
(or, with per-workspace installs, no single token is wanted), so Bolt is built without seeing it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt.async_app import AsyncApp

ENVIRONMENT_FALLBACKS = ("SLACK_BOT_TOKEN",)  # what AsyncApp reads when given a client, not a token


def bolt_app(**options: Any) -> AsyncApp:
    with _hidden(ENVIRONMENT_FALLBACKS):
        return AsyncApp(**options)


@contextmanager
def _hidden(names: tuple[str, ...]) -> Iterator[None]:
    """The environment without `names` while Bolt's constructor runs (at start-up, before any listener)."""
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)
