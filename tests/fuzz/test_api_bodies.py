"""The HTTP APIs' bodies, broken a little or made up: a 2xx or a 4xx JSON refusal naming the problem,
never a 500. Through the real aiohttp app and the database (each example is a real request)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.announcements.test_api import AUTH, api_runtime, client
from tests.fuzz.mutate import JSON_VALUES, mutated

__all__ = ["api_runtime", "client"]  # the announcements API tests' fixtures: the real app, both APIs

# Each example is a request and a unit of work: a tenth of the profile's examples, at least 25.
DATABASE_EXAMPLES = settings(max_examples=max(25, settings.default.max_examples // 10))

USAGE = {"id": "e1", "person": "uma@example.com", "system": "assistant", "at": "2026-11-23T08:00:00Z",
         "kind": "minutes_saved", "value": 12}  # fmt: skip
ANNOUNCEMENT = {
    "key": "release-1",
    "title": "Compass is live",
    "body": "Hi {{ person.first_name }}",
    "system": "assistant",
    "model_version": "compass-2026-12",
    "audience": {"kind": "people", "people": ["kenji@example.com"]},
    "send_at": "2026-11-24T09:00:00Z",
    "ack_required": True,
    "critical": False,
}


async def _refused_clearly_or_taken(response: Any) -> None:
    assert response.status < 500, await response.text()
    if response.status >= 400:
        refusal = await response.json()
        assert refusal["error"], refusal


@DATABASE_EXAMPLES
@given(data=st.data())
async def test_a_broken_usage_body_is_taken_or_refused(client: TestClient[Any, Any], data: st.DataObject) -> None:
    events = data.draw(mutated([USAGE, {**USAGE, "id": "e2", "kind": "used"}]))
    response = await client.post("/api/v1/usage", data=json.dumps(events), headers=AUTH)
    await _refused_clearly_or_taken(response)


@DATABASE_EXAMPLES
@given(body=JSON_VALUES)
@example(body=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])
async def test_any_json_as_usage_is_taken_or_refused(client: TestClient[Any, Any], body: Any) -> None:
    response = await client.post("/api/v1/usage", data=json.dumps(body), headers=AUTH)
    await _refused_clearly_or_taken(response)


@DATABASE_EXAMPLES
@given(data=st.data())
async def test_a_broken_announcement_is_taken_or_refused(
    client: TestClient[Any, Any], data: st.DataObject
) -> None:
    body = data.draw(mutated(ANNOUNCEMENT))
    response = await client.post("/api/v1/announcements", data=json.dumps(body), headers=AUTH)
    await _refused_clearly_or_taken(response)


@DATABASE_EXAMPLES
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
@example(raw=b'{"key": "k\\u0000", "title": "t"}')
@example(raw=b'{"key": "k", "title": "\\ud800"}')
@example(raw=b"NaN")
async def test_bytes_that_are_not_json_are_refused(client: TestClient[Any, Any], raw: bytes) -> None:
    for path in ("/api/v1/usage", "/api/v1/announcements"):
        await _refused_clearly_or_taken(await client.post(path, data=raw, headers=AUTH))
