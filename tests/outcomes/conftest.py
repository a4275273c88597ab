"""The outcomes tests seed a handful of people: every group counts here, except where a test says."""

from __future__ import annotations

import pytest

from bot.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"min_group_size": 1})
