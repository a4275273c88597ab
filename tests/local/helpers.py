"""A small WebSocket client for the local chat's protocol, for tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import ClientWebSocketResponse, web
from aiohttp.test_utils import TestClient

Frame = dict[str, Any]
Client = TestClient[web.Request, web.Application]
HANG_GUARD = 20.0  # seconds: only stops a broken test from hanging the suite


class Tab:
    def __init__(self, ws: ClientWebSocketResponse) -> None:
        self.ws = ws
        self.seen: list[Frame] = []

    @classmethod
    async def open(cls, client: Client, email: str, **query: str) -> Tab:
        ws = await client.ws_connect("/local/ws", params={"as": email, "tz": "Europe/Berlin", **query})
        tab = cls(ws)
        first = await tab.next()
        assert first["type"] == "history", first
        return tab

    async def next(self) -> Frame:
        frame: Frame = await self.ws.receive_json(timeout=HANG_GUARD)
        self.seen.append(frame)
        return frame

    async def until(self, test: Callable[[Frame], bool]) -> Frame:
        while True:
            frame = await self.next()
            if test(frame):
                return frame

    async def entry_containing(self, text: str) -> Frame:
        return await self.until(lambda f: f["type"] == "entry" and text in f["html"])

    async def send(self, **frame: Any) -> None:
        await self.ws.send_json(frame)

    async def close(self) -> None:
        await self.ws.close()


def button(frame: Frame, label: str) -> tuple[str, str]:
    """(action_id, value) of the button with this label in an entry's HTML."""
    import re
    from html import unescape

    for match in re.finditer(
        r'data-action-id="([^"]*)" data-value="([^"]*)">([^<]*)</button>', frame["html"]
    ):
        if unescape(match.group(3)) == label:
            return unescape(match.group(1)), unescape(match.group(2))
    raise AssertionError(f"no button {label!r} in {frame['html']}")
