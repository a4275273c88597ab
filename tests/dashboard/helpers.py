"""Signing in to the dashboard the way people do: `dashboard` in the local chat, then the link."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from tests.local.helpers import Client, Tab


async def link_from_chat(client: Client, email: str) -> str:
    """The sign-in token the coach sends `email` when they type `dashboard`."""
    tab = await Tab.open(client, email)
    await tab.send(type="say", text="dashboard")
    entry = await tab.entry_containing("sign-in link")
    await tab.close()
    href = re.search(r'href="([^"]*/dashboard/sign-in[^"]*)"', entry["html"])
    assert href, entry["html"]
    return parse_qs(urlsplit(unescape(href.group(1))).query)["token"][0]


async def sign_in(client: Client, token: str) -> None:
    landing = await client.get("/dashboard/sign-in", params={"token": token})
    assert landing.status == 200, await landing.text()
    signed = await client.post(
        "/dashboard/sign-in",
        data={"token": token},
        headers={"Origin": f"http://{client.host}:{client.port}"},
        allow_redirects=False,
    )
    assert signed.status == 303, await signed.text()
    assert signed.headers["Location"] == "/dashboard"


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)
