"""The local chat fits the windows people use (#13 item 17): a 1280×800 laptop, where the flag form's
Send button was cut off, and a 390 px phone, where the sidebar (and with it every channel) vanished."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_local_chat_browser import ARGS, CHROMIUM, WAIT_MS, base_url

pytestmark = pytest.mark.browser
__all__ = ["base_url"]  # the fixture: the real server on a free port

FLAG = "flag The contract renews in March 2027"


async def fully_usable(page: Any, locator: Any) -> None:
    """Entirely inside the window and inside whatever scrolls around it, and on top where it is."""
    from playwright.async_api import expect

    await expect(locator).to_be_in_viewport(ratio=1)
    box = await locator.bounding_box()
    assert box is not None
    on_top = await locator.evaluate(
        "(node, [x, y]) => node.contains(document.elementFromPoint(x, y))",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top, "something covers it"


async def test_the_flag_form_fits_a_laptop_window(base_url: str) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.goto(base_url + "/?as=uma@example.com")
            await expect(page.locator("#status")).to_have_text("connected")
            await page.locator("#text").fill(FLAG)
            await page.locator("#text").press("Enter")
            modal = page.locator("#modal")
            await expect(modal.get_by_role("heading", name="Flag an AI output")).to_be_visible()
            await page.screenshot(path="/tmp/local-chat-flag-1280x800.png")
            await fully_usable(page, modal.get_by_role("button", name="Send"))
            await fully_usable(page, modal.get_by_role("button", name="Cancel"))
            assert await page.evaluate("document.scrollingElement.scrollHeight <= innerHeight")  # no page scroll
            await modal.get_by_role("button", name="Send").click()
            await expect(modal).to_be_hidden()
        finally:
            await browser.close()


async def test_a_phone_reaches_every_channel_through_the_menu(base_url: str) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await page.goto(base_url + "/?as=uma@example.com")
            await expect(page.locator("#status")).to_have_text("connected")
            assert await page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")  # nothing sideways
            await fully_usable(page, page.locator("#composer").get_by_role("button", name="Send"))
            channel = page.get_by_role("link", name="# esc-assistant")
            await expect(channel).to_be_hidden()
            menu = page.get_by_role("button", name="People and channels")

            await menu.click()
            await expect(menu).to_have_attribute("aria-expanded", "true")
            await fully_usable(page, channel)
            await page.screenshot(path="/tmp/local-chat-phone-menu.png")
            await page.keyboard.press("Escape")
            await expect(channel).to_be_hidden()
            await menu.click()
            await page.mouse.click(370, 420)  # the dimmed chat beside the drawer closes it
            await expect(channel).to_be_hidden()

            await menu.click()
            await channel.click()
            await expect(page.get_by_role("heading", name="# esc-assistant")).to_be_visible()
            await expect(page.locator("#status")).to_have_text("connected")
            await page.screenshot(path="/tmp/local-chat-phone-channel.png")

            await page.goto(base_url + "/?as=uma@example.com")  # and the flag form fits a phone too
            await page.locator("#text").fill(FLAG)
            await page.locator("#text").press("Enter")
            await fully_usable(page, page.locator("#modal").get_by_role("button", name="Send"))
            await page.screenshot(path="/tmp/local-chat-flag-phone.png")
        finally:
            await browser.close()
