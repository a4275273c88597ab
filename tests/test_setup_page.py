"""GET /setup: the first-run page, for a browser on the coach's machine only (and, once the dashboard
has sign-in, for signed-in admins through `allow_setup`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from adapters.runtime import Runtime
from adapters.web.app import build_app
from adapters.web.setup import SETUP_CHECKS, allow_setup, may_see_setup


@pytest.fixture
async def http(runtime: Runtime) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(build_app(runtime), host="127.0.0.1")) as client:
        yield client


async def test_the_page_shows_what_is_configured_the_checks_and_the_next_step(
    http: TestClient[Any, Any],
) -> None:
    response = await http.get("/setup")
    assert response.status == 200
    page = await response.text()
    assert "Local web chat" in page
    assert "Database: migrated" in page and "schema up to date" in page
    # Only the local chat: nothing fails, and the next step is putting the coach on a platform.
    assert "<strong>Nothing is wrong. To put the coach on Slack or Teams" in page
    assert "coach manifest slack --url https://YOUR-HOST" in page


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
async def test_through_a_proxy_it_is_refused_even_from_loopback(
    http: TestClient[Any, Any], header: str
) -> None:
    response = await http.get("/setup", headers={header: "203.0.113.9"})
    assert response.status == 403
    assert "coach doctor" in await response.text()


class _Peer:
    """The transport of a request from another machine (aiohttp reads request.remote from it)."""

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("198.51.100.7", 50000) if name == "peername" else default


async def test_another_machine_is_refused_unless_a_sign_in_check_allows_it() -> None:
    app = web.Application()
    app[SETUP_CHECKS] = []
    request = make_mocked_request("GET", "/setup", app=app, transport=_Peer())
    assert request.remote == "198.51.100.7"
    assert not await may_see_setup(request)

    async def signed_in_admin(_request: web.Request) -> bool:
        return True

    allow_setup(app, signed_in_admin)
    assert await may_see_setup(request)
