"""Fuzz targets: every parser of outside input, driven by hypothesis.

`make test` runs them under the `ci` profile: a fixed seed (derandomized, so a run is repeatable and a
failure is the same failure on every machine) and few examples, to stay well inside a minute per database
pass. `make fuzz` runs them under the `fuzz` profile: random seeds and many more examples.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile(
    "ci", derandomize=True, max_examples=40, deadline=None, suppress_health_check=_SLOW_OK, database=None
)
settings.register_profile("fuzz", max_examples=2000, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile(os.environ.get("COACH_FUZZ_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/fuzz/" in item.nodeid:
            item.add_marker(pytest.mark.fuzz)
