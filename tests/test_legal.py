"""The privacy and terms pages the Slack and Teams listings link to: served by the coach, and the privacy
statement accounts for every table the coach keeps."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import SQLModel

import bot.migrations.tables  # noqa: F401  (every table on the metadata)
from adapters.runtime import Runtime
from adapters.web.app import build_app
from adapters.web.legal import code_spans
from bot.privacy.statement import KEPT, YOUR_DATA
from tests.conftest import PROJECT


@pytest.fixture
async def http(runtime: Runtime) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(build_app(runtime))) as client:
        yield client


def test_every_table_is_in_the_privacy_statement_once() -> None:
    named = [table for record in KEPT for table in record.tables]
    assert len(named) == len(set(named))
    assert set(named) == set(SQLModel.metadata.tables), (
        "a table the privacy statement does not account for (or one that is gone): edit bot/privacy/statement.py"
    )


async def test_the_privacy_page_says_what_is_kept_who_sees_it_and_for_how_long(
    http: TestClient[Any, Any],
) -> None:
    response = await http.get("/privacy")
    assert response.status == 200 and response.content_type == "text/html"
    page = await response.text()
    for record in KEPT:
        assert str(code_spans(record.what)) in page and str(code_spans(record.kept_for)) in page
    assert "Two days." in page and "<code>outbox</code>" in page
    for line in YOUR_DATA:
        assert str(code_spans(line)) in page
    assert "until those backups are rotated" in page and "<code>coach people forget</code>" in page


async def test_the_terms_page_is_served(http: TestClient[Any, Any]) -> None:
    response = await http.get("/terms")
    assert response.status == 200 and "Terms of use" in await response.text()


async def test_the_committed_manifests_link_to_pages_the_coach_serves(http: TestClient[Any, Any]) -> None:
    teams = json.loads((PROJECT / "manifest" / "teams" / "manifest.json").read_text())["developer"]
    slack = json.loads((PROJECT / "manifest" / "slack.json").read_text())["display_information"]
    for url in (teams["privacyUrl"], teams["termsOfUseUrl"]):
        assert url in slack["long_description"]
        assert (await http.get(urlsplit(url).path)).status == 200


def test_text_is_escaped_before_code_spans_are_made() -> None:
    assert str(code_spans("type `help` <b>&")) == "type <code>help</code> &lt;b&gt;&amp;"
