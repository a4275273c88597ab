"""The local web chat end to end: the real server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from adapters.runtime import Runtime
from adapters.web.app import build_app

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/local-chat.png")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 15_000  # only stops a broken run from hanging

pytestmark = pytest.mark.browser

if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip(
        "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium); "
        "in CI (CI=true) this test runs and must pass",
        allow_module_level=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def base_url(runtime: Runtime) -> AsyncIterator[str]:
    runner = web.AppRunner(build_app(runtime))
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_chat_in_a_real_browser(base_url: str) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = await browser.new_context(
                viewport={"width": 1200, "height": 860}, timezone_id="Europe/Berlin"
            )
            # Someone new, typed into the picker: the bot welcomes them with a button.
            nina = await context.new_page()
            await nina.goto(base_url + "/")
            await expect(nina.get_by_role("heading", name="Who are you?")).to_be_visible()
            banner = nina.get_by_role("note")
            await expect(banner).to_have_text("demo: anyone can act as anyone")
            await expect(banner).to_be_visible()
            await nina.locator("#who-email").fill("nina.new@example.com")
            await nina.get_by_role("button", name="Chat as them").click()
            await expect(nina.locator("#status")).to_have_text("connected")
            log = nina.locator("#log")
            await expect(log).to_contain_text("Welcome, Nina!")

            await nina.locator("#text").fill("help")
            await nina.locator("#text").press("Enter")
            await expect(log.locator(".bubble.mine").last).to_contain_text("help")
            listing = log.locator(".m-header", has_text="Here is what I can do for you")
            await expect(listing).to_have_count(1)
            await expect(log).to_contain_text("Your time zone and working hours")

            await log.get_by_role("button", name="Show me what you can do").click()
            await expect(listing).to_have_count(2)

            await nina.locator("#text").fill("settings")
            await nina.locator("#text").press("Enter")
            await log.get_by_role("button", name="Change").click()
            modal = nina.locator("#modal")
            await expect(modal).to_be_visible()
            await expect(modal.locator("#f-timezone")).to_have_value("Europe/Berlin")  # from the browser
            await modal.locator("#f-timezone").fill("Nowhere/Atlantis")
            await modal.get_by_role("button", name="Save").click()
            await expect(modal.locator('[data-field="timezone"] .f-error')).to_have_text(
                "Use a time zone name such as Europe/Berlin."
            )
            await expect(modal.locator("#f-timezone")).to_have_value("Nowhere/Atlantis")
            await nina.screenshot(path=str(SCREENSHOT.with_name("local-chat-form.png")))
            await modal.locator("#f-timezone").fill("Europe/Paris")
            await modal.locator("#f-workday_start").fill("8")
            await modal.get_by_role("button", name="Save").click()
            await expect(modal).to_be_hidden()
            await expect(log).to_contain_text("Saved: Europe/Paris, 08:00–17:00.")

            # Uma, picked from the demo people in a second tab, meets the bot...
            uma = await context.new_page()
            await uma.goto(base_url + "/")
            await uma.locator("a.card", has_text="Uma").click()
            await expect(uma.locator("#status")).to_have_text("connected")
            await uma.locator("#text").fill("help")
            await uma.locator("#text").press("Enter")
            await expect(uma.locator("#log")).to_contain_text("Here is what I can do for you")

            # ...and Ada, the admin, in a third tab makes her an admin: Uma is told live.
            ada = await context.new_page()
            await ada.goto(base_url + "/?as=ada@example.com")
            await expect(ada.locator("#status")).to_have_text("connected")
            await ada.locator("#text").fill("admins add uma@example.com")
            await ada.locator("#text").press("Enter")
            await expect(ada.locator("#log")).to_contain_text("Uma is now an admin")
            await expect(uma.locator("#log")).to_contain_text("made you an admin of the adoption coach")

            await nina.screenshot(path=str(SCREENSHOT))
            await uma.screenshot(path=str(SCREENSHOT.with_name("local-chat-uma.png")))
        finally:
            await browser.close()


async def test_channel_with_a_thread_in_a_real_browser(base_url: str) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1100, "height": 700})
            omar = await context.new_page()
            await omar.goto(base_url + "/?as=omar@example.com&channel=esc-assistant")
            await expect(omar.locator("#status")).to_have_text("connected")
            uma = await context.new_page()
            await uma.goto(base_url + "/?as=uma@example.com&channel=esc-assistant")
            await expect(uma.locator("#status")).to_have_text("connected")

            await uma.locator("#text").fill("The assistant cited a policy that does not exist <b>!</b>")
            await uma.locator("#text").press("Enter")
            post = omar.locator(".bubble.from-person", has_text="does not exist <b>!</b>")
            await expect(post).to_be_visible()
            await post.get_by_role("button", name="Reply in thread").click()
            await expect(omar.locator("#thread-banner")).to_be_visible()
            await omar.locator("#text").fill("Looking into it")
            await omar.locator("#text").press("Enter")
            parent = uma.locator(".log > .bubble.from-person", has_text="does not exist")
            await expect(parent.locator(":scope > .thread > .bubble")).to_contain_text("Looking into it")
            await uma.screenshot(path=str(SCREENSHOT.with_name("local-chat-channel.png")))
        finally:
            await browser.close()
