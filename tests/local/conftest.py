"""Fixtures for the local chat's tests: the real aiohttp app behind a test client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.runtime import Runtime
from adapters.web.app import build_app
from tests.local.helpers import Client


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_app(runtime))) as client:
        yield client
