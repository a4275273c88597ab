"""Log lines: JSON lines on request, request ids on every line written for a request, and an access log
that samples the platforms' answered events but keeps every refusal (issues 16 and 17)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters import logs
from adapters.web.access_log import access_logger
from adapters.web.request_id import HEADER, REQUEST_ID, request_ids


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _capture(fmt: str) -> io.StringIO:
    logs.configure(level="INFO", fmt=fmt, force=True)
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    return stream


def test_json_lines_carry_level_logger_message_request_id_and_fields(restore_logging: None) -> None:
    stream = _capture("json")
    token = REQUEST_ID.set("abc-1")
    try:
        logging.getLogger("coach.test").info("answered %s", "x", extra={"http": {"status": 200}})
    finally:
        REQUEST_ID.reset(token)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("coach.test").exception("failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["level"] == "INFO" and first["logger"] == "coach.test" and first["message"] == "answered x"
    assert first["request_id"] == "abc-1" and first["http"] == {"status": 200} and first["time"].endswith("+00:00")
    assert "request_id" not in second and "ValueError: boom" in second["exc"]


def test_text_lines_name_the_request(restore_logging: None) -> None:
    stream = _capture("text")
    token = REQUEST_ID.set("abc-2")
    try:
        logging.getLogger("coach.test").warning("slow")
    finally:
        REQUEST_ID.reset(token)
    logging.getLogger("coach.test").warning("outside")
    inside, outside = stream.getvalue().splitlines()
    assert inside.endswith("WARNING coach.test slow rid=abc-2") and outside.endswith("coach.test outside")


async def _ok(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _refused(_request: web.Request) -> web.Response:
    return web.Response(status=401)


async def _client(sample: int) -> TestClient[Any, Any]:
    app = web.Application(middlewares=[request_ids])
    app.router.add_post("/slack/events", _ok)
    app.router.add_post("/api/messages", _refused)
    app.router.add_get("/healthz", _ok)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(access_log_class=access_logger(sample))  # as `coach run` serves
    client: TestClient[Any, Any] = TestClient(server)
    await client.start_server()
    return client


async def test_access_log_samples_answered_platform_events_and_keeps_refusals_and_other_paths(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = await _client(sample=10)
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    try:
        for _ in range(25):
            assert (await client.post("/slack/events?secret=1")).status == 200
        for _ in range(3):
            assert (await client.post("/api/messages")).status == 401
            assert (await client.get("/healthz?as=someone@example.com")).status == 200
    finally:
        await client.close()
    lines = [r for r in caplog.records if r.name == "aiohttp.access"]
    events = [r for r in lines if '"POST /slack/events"' in r.getMessage()]
    assert len(events) == 3  # the 1st, 11th and 21st of 25
    assert all(r.getMessage().endswith("sampled=1/10") and getattr(r, "sampled", None) == 10 for r in events)
    assert len([r for r in lines if " 401 " in r.getMessage()]) == 3
    assert len([r for r in lines if "/healthz" in r.getMessage()]) == 3
    assert not [r for r in lines if "?" in r.getMessage() or "example.com" in r.getMessage()]
    assert all(r.http["path"] in {"/slack/events", "/api/messages", "/healthz"} for r in lines)


async def test_every_answer_names_its_request_id_keeping_a_proxys_own() -> None:
    client = await _client(sample=1)
    try:
        mine = await client.get("/healthz")
        given = await client.get("/healthz", headers={HEADER: "edge-42"})
        hostile = await client.get("/healthz", headers={HEADER: "x" * 65})
        refused = await client.post("/api/messages")
    finally:
        await client.close()
    assert given.headers[HEADER] == "edge-42"
    assert mine.headers[HEADER] and mine.headers[HEADER] != hostile.headers[HEADER] != "x" * 65
    assert refused.headers[HEADER]
