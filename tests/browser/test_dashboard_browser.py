"""The dashboard in real Chromium: sign in through the link `dashboard` sends in the local chat, as an
admin, an owner and a user; every page opens, a CSV downloads, and each sees only what they may."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from adapters.runtime import Runtime, build_runtime
from adapters.web.app import build_app
from bot.content import Content
from bot.dashboard.signin import LINK_LIFETIME
from bot.ports import FixedClock
from bot.store.db import Store
from tests.browser.test_local_chat_browser import ARGS, CHROMIUM, WAIT_MS, free_port
from tests.demo.test_seeder import demo_settings

pytestmark = pytest.mark.browser
PAGES = ("overview", "funnel", "escalations", "friction", "announcements", "readiness", "me")
SHOTS = Path("/tmp/dashboard-shots")


@pytest.fixture
async def demo(
    database_url: str, store: Store, clock: FixedClock, content: Content
) -> AsyncIterator[tuple[str, Runtime]]:
    port = free_port()  # the links in chat point at COACH_PORT
    settings = demo_settings(database_url, COACH_DEMO_HISTORY="true", COACH_PORT=str(port))
    runtime = build_runtime(settings, clock=clock, store=store, content=content)
    runner = web.AppRunner(build_app(runtime))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}", runtime
    finally:
        await runner.cleanup()


async def link_in_chat(context: Any, base_url: str, email: str) -> str:
    """Type `dashboard` in the local chat as `email`; the link the coach sends back."""
    from playwright.async_api import expect

    chat = await context.new_page()
    await chat.goto(f"{base_url}/?as={email}")
    await expect(chat.locator("#status")).to_have_text("connected")
    links = chat.get_by_role("link", name="Open the dashboard")
    before = await links.count()  # the conversation shows the links sent before, too
    await chat.locator("#text").fill("dashboard")
    await chat.locator("#text").press("Enter")
    await expect(links).to_have_count(before + 1)
    link = links.last
    href = await link.get_attribute("href")
    await chat.close()
    assert href and "/dashboard/sign-in?token=" in href
    return href


async def sign_in(context: Any, base_url: str, email: str) -> Any:
    from playwright.async_api import expect

    page = await context.new_page()
    await page.goto(await link_in_chat(context, base_url, email))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("h1")).to_be_visible()
    return page


async def test_admin_owner_and_user_in_a_real_browser(demo: tuple[str, Runtime]) -> None:
    from playwright.async_api import async_playwright, expect

    base_url, runtime = demo
    await asyncio.to_thread(SHOTS.mkdir, exist_ok=True)
    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            # The admin: every page, the charts drawn, a CSV downloaded.
            admin = await browser.new_context(
                viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin", accept_downloads=True
            )
            page = await sign_in(admin, base_url, "ada@example.com")
            await expect(page.get_by_role("heading", name="Overview")).to_be_visible()
            await expect(page.get_by_role("heading", name="Compass (assistant)")).to_be_visible()
            for name in PAGES:
                await page.goto(f"{base_url}/dashboard/{name}")
                await expect(page.locator("h1")).not_to_have_text("Not here")
                await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
            await page.goto(f"{base_url}/dashboard/overview")
            loaded = await page.evaluate(
                "[...document.images].every(i => i.complete && i.naturalWidth > 0) && document.images.length"
            )
            assert loaded >= 3, "the charts did not draw"
            await page.locator("details summary").first.click()  # a chart's numbers, as a table
            await expect(page.locator("details table").first).to_be_visible()
            async with page.expect_download() as download_info:
                await page.locator("a.csv").first.click()
            download = await download_info.value
            assert download.suggested_filename.endswith(".csv")
            text = await asyncio.to_thread(Path(await download.path()).read_text)
            assert text.startswith("week,")

            # An owner: their system, and another's refused even by URL.
            owner = await browser.new_context()
            page = await sign_in(owner, base_url, "lena@example.com")
            await expect(page.get_by_role("heading", name="Clause Checker (contract-review)")).to_be_visible()
            await expect(page.get_by_text("Compass (assistant)")).to_have_count(0)
            response = await page.goto(f"{base_url}/dashboard/escalations?system=assistant")
            assert response is not None and response.status == 403
            await expect(page.locator("p.message")).to_contain_text("only the systems you own")

            # A user: their own page, and no programme page.
            user = await browser.new_context()
            page = await sign_in(user, base_url, "uma@example.com")
            await expect(page.get_by_role("heading", name="My data")).to_be_visible()
            await expect(page.get_by_text("uma@example.com").first).to_be_visible()
            for name in PAGES[:-1]:
                response = await page.goto(f"{base_url}/dashboard/{name}")
                assert response is not None and response.status == 403, name

            # A used link, and one that expired, are refused.
            other = await browser.new_context()
            href = await link_in_chat(other, base_url, "ada@example.com")
            page = await other.new_page()
            await page.goto(href)
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.get_by_role("heading", name="Overview")).to_be_visible()
            await page.goto(href)
            await expect(page.locator("p.message")).to_contain_text("used already")
            late = await link_in_chat(other, base_url, "ada@example.com")
            runtime.clock.advance(seconds=LINK_LIFETIME.total_seconds() + 60)  # type: ignore[attr-defined]
            await page.goto(late)
            await expect(page.locator("p.message")).to_contain_text("has expired")
        finally:
            await browser.close()
