"""A 20,000-character output flagged in the local chat, read whole by the owner, in real Chromium."""

from __future__ import annotations

from tests.browser.test_local_chat_browser import (  # noqa: F401  (its fixture, used by name)
    ARGS,
    CHROMIUM,
    SCREENSHOT,
    WAIT_MS,
    base_url,
)

# One line (tests/browser/test_readme_walkthrough.py flags one with line breaks). It ends with words that must arrive.
OUTPUT = ("The supplier contract renews automatically each March unless notice is given. " * 300)[:19_959]
OUTPUT += " The renewal is in April, per clause 4.2."


async def test_a_long_output_is_flagged_and_read_whole(base_url: str) -> None:  # noqa: F811
    from playwright.async_api import async_playwright, expect

    assert len(OUTPUT) == 20_000
    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1200, "height": 860})
            omar = await context.new_page()
            await omar.goto(base_url + "/?as=omar@example.com&channel=esc-assistant")
            await expect(omar.locator("#status")).to_have_text("connected")
            uma = await context.new_page()
            await uma.goto(base_url + "/?as=uma@example.com")
            await expect(uma.locator("#status")).to_have_text("connected")

            await uma.locator("#text").fill(f"flag {OUTPUT}")
            await uma.locator("#text").press("Enter")
            form = uma.locator("#modal")
            await expect(form).to_contain_text("The output you are flagging (20,000 characters)")
            await expect(form).to_contain_text("The owners get all of it")
            await form.get_by_role("button", name="Send").click()
            await expect(form).to_be_hidden()
            await expect(uma.locator("#log")).to_contain_text("shows the first 2,000 of its 20,000 characters")

            card = omar.locator(".bubble.from-bot", has_text="ESC-1")
            await expect(card).to_contain_text("The output (the start of its 20,000 characters)")
            await card.get_by_role("button", name="Show full output").click()
            dialog = omar.locator("#modal")
            await expect(dialog).to_contain_text("ESC-1: the full output")
            assert await dialog.locator("blockquote").inner_text() == OUTPUT
            await omar.screenshot(path=str(SCREENSHOT.with_name("local-chat-full-output.png")))
            await dialog.get_by_role("button", name="Close").click()
            await expect(dialog).to_be_hidden()
        finally:
            await browser.close()
