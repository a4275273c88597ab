"""The local chat across a real restart of `coach run` (#13 item 15): each open tab reconnects and shows
its conversation again, cards included, and their buttons still work."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.migrations.migrate import upgrade
from tests.browser.test_local_chat_browser import ARGS, CHROMIUM, WAIT_MS
from tests.process.coach import CoachProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]


async def test_tabs_get_their_conversation_back_after_a_restart(database_url: str, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=WAIT_MS)
    upgrade(database_url)
    coach = CoachProcess(env={"COACH_DATABASE_URL": database_url}, workdir=tmp_path)
    coach.start()
    try:
        await coach.ready()
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                context = await browser.new_context(viewport={"width": 1280, "height": 800})
                uma = await context.new_page()
                await uma.goto(f"{coach.url}/?as=uma@example.com")
                await expect(uma.locator("#status")).to_have_text("connected")
                log = uma.locator("#log")
                await uma.locator("#text").fill("settings")
                await uma.locator("#text").press("Enter")
                await expect(log.get_by_role("button", name="Change")).to_have_count(1)
                omar = await context.new_page()
                await omar.goto(f"{coach.url}/?as=omar@example.com&channel=esc-assistant")
                await expect(omar.locator("#status")).to_have_text("connected")
                await omar.locator("#text").fill("Back in five")
                await omar.locator("#text").press("Enter")
                await expect(omar.locator("#log .bubble.mine")).to_contain_text("Back in five")

                await asyncio.to_thread(coach.stop)
                await expect(uma.locator("#status")).to_have_text("reconnecting…")
                coach.start()
                await coach.ready()

                # The same tabs, never reloaded: they reconnect and get everything back.
                await expect(uma.locator("#status")).to_have_text("connected")
                await expect(log).to_contain_text("Welcome, Uma!")
                await expect(log.locator(".bubble.mine")).to_contain_text("settings")
                await expect(omar.locator("#status")).to_have_text("connected")
                await expect(omar.locator("#log .bubble.mine")).to_contain_text("Back in five")
                await uma.screenshot(path="/tmp/local-chat-after-restart.png")
                await log.get_by_role("button", name="Change").click()  # a card from before the restart
                modal = uma.locator("#modal")
                await expect(modal).to_be_visible()
                await modal.locator("#f-timezone").fill("Asia/Tokyo")
                await modal.get_by_role("button", name="Save").click()
                await expect(modal).to_be_hidden()
                await expect(log).to_contain_text("Saved: Asia/Tokyo")

                again = await context.new_page()  # and a new tab shows it too
                await again.goto(f"{coach.url}/?as=uma@example.com")
                await expect(again.locator("#log")).to_contain_text("Saved: Asia/Tokyo")
            finally:
                await browser.close()
    finally:
        coach.stop()
