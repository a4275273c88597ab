"""The real aiohttp app behind a test client; people sign in through the local chat."""

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
