"""The README's "Try every flow in the local chat", as a newcomer walks it (#13): `coach run` on a fresh
database with no setting but the port, real Chromium, Ada, Uma and Omar in their own tabs.

Ada previews the programme and steps through it by clicking; Uma flags a 20,000-character output and
Omar reads all of it, answers in the card's thread (two lines, typed with Shift+Enter) and resolves it;
Uma rates the answer; Ada announces, Uma and Omar acknowledge and Ada sees who did. Every clicked button
shows its choice and is gone. Set WALKTHROUGH_SCREENSHOTS=DIR to keep a screenshot of each step."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_local_chat_browser import ARGS, CHROMIUM, WAIT_MS
from tests.process.coach import CoachProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTPUT = ("The supplier contract renews automatically each March unless notice is given.\n" * 300)[:19_959]
OUTPUT += " The renewal is in April, per clause 4.2."
SHOTS = os.environ.get("WALKTHROUGH_SCREENSHOTS")


async def shot(page: Any, name: str) -> None:
    if SHOTS:
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


async def say(page: Any, text: str) -> None:
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")


async def found(page: Any, pattern: str) -> str:
    """The first group of `pattern` once the page's conversation shows it."""
    from playwright.async_api import expect

    await expect(page.locator("#log")).to_contain_text(re.compile(pattern))
    match = re.search(pattern, await page.locator("#log").inner_text())
    assert match is not None
    return match.group(1)


async def preview_step(log: Any, footer: str) -> Any:
    """A preview's step message, found by its id (its text and buttons change once clicked)."""
    step = log.locator('.bubble.from-bot:has(button[data-value^="p"])', has_text=footer)
    return log.locator(f'[data-id="{await step.get_attribute("data-id")}"]')


async def test_every_flow_of_the_readme_in_a_real_browser(tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    assert len(OUTPUT) == 20_000
    expect.set_options(timeout=WAIT_MS)
    coach = CoachProcess(env={}, workdir=tmp_path, configured=False)
    coach.start()
    try:
        await coach.ready()
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                context = await browser.new_context(viewport={"width": 1280, "height": 800})
                try:
                    await walk(context, coach.url, expect)
                except BaseException:
                    for n, page in enumerate(context.pages):
                        await shot(page, f"failed-tab{n}")
                        if SHOTS:
                            html = await page.content()
                            (Path(SHOTS) / f"failed-tab{n}.html").write_text(html)
                    raise
            finally:
                await browser.close()
    finally:
        coach.stop()
    assert (tmp_path / "coach.db").exists()  # the default database, in the working directory


async def walk(context: Any, url: str, expect: Any) -> None:
    ada = await ada_previews_the_programme(context, url, expect)
    uma = await flag_answer_and_resolve(context, url, expect)
    await uma_reports_friction(uma, expect)
    await announce_and_see_who_acknowledged(ada, uma, expect)


async def ada_previews_the_programme(context: Any, url: str, expect: Any) -> Any:
    """The admin previews the programme and steps through it by clicking; her preview's progress moves."""
    ada = await context.new_page()
    await ada.goto(url + "/")
    await expect(ada.get_by_role("note")).to_have_text("demo: anyone can act as anyone")
    await shot(ada, "01-picker")
    await ada.locator("a.card", has_text="Ada").click()
    await expect(ada.locator("#status")).to_have_text("connected")
    log = ada.locator("#log")
    await say(ada, "help")
    await expect(log).to_contain_text("announce")
    await say(ada, "preview")
    await expect(log).to_contain_text("step 11 of 11")
    # The preview's steps (their buttons' values start with "p"), not Ada's own programme's, which may
    # arrive meanwhile when this runs in her working hours.
    first = await preview_step(log, "step 1 of 11")
    await first.get_by_role("button", name="Got it").click()
    await expect(first).to_contain_text("Got it: nice one, marked as done")
    await expect(first.get_by_role("button", name="Got it")).to_have_count(0)  # cannot be clicked twice
    second = await preview_step(log, "step 2 of 11")
    await second.get_by_role("button", name="I tried it").click()
    await expect(second.get_by_role("button", name="I tried it")).to_have_count(0)
    await shot(ada, "02-preview-clicked")
    await say(ada, "programme")
    await expect(log.locator(".bubble.from-bot", has_text="Previews").last).to_contain_text(
        "you tried 2 of its 11 steps"
    )
    await shot(ada, "03-programme-progress")
    return ada


async def flag_answer_and_resolve(context: Any, url: str, expect: Any) -> Any:
    """Uma flags a 20,000-character output; Omar reads all of it, answers in the thread, resolves."""
    omar = await context.new_page()
    await omar.goto(url + "/?as=omar@example.com&channel=esc-assistant")
    await expect(omar.locator("#status")).to_have_text("connected")
    uma = await context.new_page()
    await uma.goto(url + "/?as=uma@example.com")
    await expect(uma.locator("#status")).to_have_text("connected")
    await say(uma, "help")
    await expect(uma.locator("#log")).to_contain_text("Here is what I can do for you")
    await expect(uma.locator("#log")).not_to_contain_text("announce")  # only what she may do
    await say(uma, f"flag {OUTPUT}")
    form = uma.locator("#modal")
    await expect(form).to_contain_text("The output you are flagging (20,000 characters)")
    await shot(uma, "04-flag-form")
    await form.get_by_role("button", name="Send").click()
    await expect(form).to_be_hidden()
    await expect(uma.locator("#log")).to_contain_text("shows the first 2,000 of its 20,000 characters")
    # The demo's history holds flags, reports and announcements already: this walk's get the next ids.
    ref = await found(uma, r"your flag (ESC-\d+) is with the owners")

    card = omar.locator("#log > .bubble.from-bot", has_text=f"{ref}: an output of Compass was flagged")
    await expect(card).to_contain_text("The output (the start of its 20,000 characters)")
    await shot(omar, "05-card")
    await card.get_by_role("button", name="Show full output").click()
    dialog = omar.locator("#modal")
    await expect(dialog).to_contain_text(f"{ref}: the full output")
    assert await dialog.locator("blockquote").inner_text() == OUTPUT  # line breaks and the end included
    await shot(omar, "06-full-output")
    await dialog.get_by_role("button", name="Close").click()
    await expect(dialog).to_be_hidden()

    await card.get_by_role("button", name="Reply in thread").click()
    await expect(omar.locator("#thread-banner")).to_be_visible()
    composer = omar.locator("#text")
    await composer.type("Clause 4.2 was amended in 2025.")
    await composer.press("Shift+Enter")  # a new line, not a send
    await composer.type("The renewal is in April.")
    await expect(composer).to_have_value("Clause 4.2 was amended in 2025.\nThe renewal is in April.")
    await composer.press("Enter")
    await expect(composer).to_have_value("")
    await expect(card.locator(":scope > .thread")).to_contain_text("on its way")
    answer = uma.locator(".bubble.from-bot", has_text="answered your flag")
    await expect(answer).to_be_visible()
    answered = answer.locator("blockquote").first
    assert await answered.inner_text() == "Clause 4.2 was amended in 2025.\nThe renewal is in April."
    await answer.get_by_role("button", name="Yes").click()
    await expect(answer).to_contain_text("Thanks, glad it helped.")  # the choice, shown in place
    await expect(answer.get_by_role("button", name="Yes")).to_have_count(0)
    await shot(uma, "07-answer-rated")

    await card.get_by_role("button", name="Resolve: explained").click()
    await expect(card).to_contain_text("resolved as explained")
    await expect(card.get_by_role("button", name="Resolve: explained")).to_have_count(0)
    await shot(omar, "08-resolved")
    return uma


async def uma_reports_friction(uma: Any, expect: Any) -> None:
    """Frustration offers a report; what Uma wrote, line breaks and all, is the report's details."""
    said = "this is useless, it takes forever\nand it forgot the file I gave it"
    await say(uma, said)
    offer = uma.locator(".bubble.from-bot", has_text="That sounds frustrating").last
    await offer.get_by_role("button", name="Report it").click()
    form = uma.locator("#modal")
    await expect(form.locator("#f-details")).to_have_value(said)
    await form.locator("#f-trying_to").fill("Summarise the supplier contract")
    await form.locator("#f-category").select_option("speed")
    await form.locator("#f-severity").select_option("blocks")
    await shot(uma, "08b-friction-form")
    await form.get_by_role("button", name="Send report").click()
    await expect(form).to_be_hidden()
    await found(uma, r"Your report (FR-\d+) about Compass is filed")


async def announce_and_see_who_acknowledged(ada: Any, uma: Any, expect: Any) -> None:
    """Ada announces to Uma and Omar; Uma acknowledges; Ada's status message and CSV say who did."""
    log = ada.locator("#log")
    await ada.bring_to_front()
    await say(ada, "announce")
    await log.get_by_role("button", name="Compose").click()
    compose = ada.locator("#modal")
    await compose.locator("#f-title").fill("Compass now cites its sources")
    await compose.locator("#f-body").fill("Hi {{ person.first_name }}, every answer now links its sources.")
    await compose.locator("#f-audience_kind").select_option("people")
    await compose.locator("#f-audience_param").fill("uma@example.com, omar@example.com")
    await compose.locator("#f-critical").select_option("yes")  # whatever the hour this test runs at
    await shot(ada, "09-announce-form")
    await compose.get_by_role("button", name="Preview").click()
    await expect(compose).to_be_hidden()
    previewed = log.locator(".bubble.from-bot", has_text="Preview.").last
    await expect(previewed).to_contain_text("Recipients2")
    preview = log.locator(f'[data-id="{await previewed.get_attribute("data-id")}"]')  # it changes its text
    await preview.get_by_role("button", name="Confirm and send").click()
    number = await found(ada, r"Confirmed\. Announcement (\d+) goes to 2 people\. I'll keep")
    await expect(preview.get_by_role("button")).to_have_count(0)

    news = uma.locator(".bubble.from-bot", has_text="Compass now cites its sources")
    await expect(news).to_contain_text("Hi Uma, every answer now links its sources.")
    await news.get_by_role("button", name="Got it").click()
    await expect(news).to_contain_text("Thanks, Uma: noted that you've read it.")
    await expect(news.get_by_role("button", name="Got it")).to_have_count(0)
    await shot(uma, "10-announcement-acknowledged")

    status = log.locator(".bubble.from-bot", has_text=f"Announcement {number}:").last
    await expect(status).to_contain_text("Acknowledged1")
    await expect(status).to_contain_text("(done)")
    await expect(status).to_contain_text("Pending0")
    await say(ada, f"announcement {number} csv")  # who acknowledged: Uma did, Omar (whose DM is not open) not yet
    csv = log.locator(".bubble.from-bot", has_text=f"announcement-{number}.csv").locator("blockquote")
    await expect(csv).to_contain_text("email,name,delivery,sent_at,acknowledged_at,questions")
    rows = {line.split(",")[0]: line.split(",") for line in (await csv.inner_text()).splitlines()}
    assert rows["uma@example.com"][2] == "sent" and rows["uma@example.com"][4]
    assert rows["omar@example.com"][2] == "sent" and rows["omar@example.com"][4] == ""
    await shot(ada, "11-status-and-csv")
