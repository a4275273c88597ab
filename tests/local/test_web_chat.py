"""The local web chat through the real aiohttp app: page, static files and the WebSocket protocol."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from adapters.runtime import Runtime, build_runtime
from adapters.web.app import build_app
from bot.config import Settings
from bot.content import Content
from bot.demo.people import demo_people
from bot.ports import FixedClock
from bot.store.db import Store
from tests.local.helpers import Client, Tab, button


async def test_page_offers_the_picker_and_a_chat_per_person(client: Client) -> None:
    picker = await client.get("/")
    assert picker.status == 200
    text = await picker.text()
    assert "Who are you?" in text and "ada@example.com" in text and "uma@example.com" in text
    assert "http://" not in text and "https://" not in text  # nothing fetched from elsewhere

    page = await client.get("/", params={"as": "Uma@Example.com"})
    text = await page.text()
    assert 'data-as="uma@example.com"' in text and 'data-name="Uma"' in text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]

    bad = await client.get("/", params={"as": "<script>alert(1)</script>"})
    text = await bad.text()
    assert "<script>alert" not in text and "doesn&#39;t look like an email" in text

    for path in ("/local/static/chat.js", "/local/static/chat.css"):
        assert (await client.get(path)).status == 200


async def test_welcome_button_and_help(client: Client) -> None:
    nina = await Tab.open(client, "nina.new@example.com")  # someone the bot has never met
    welcome = await nina.entry_containing("Welcome, Nina!")
    assert welcome["from_bot"] and not welcome["mine"]
    action_id, value = button(welcome, "Show me what you can do")
    await nina.send(type="click", action_id=action_id, value=value, message_id=welcome["id"])
    listing = await nina.entry_containing("Here is what I can do for you")
    assert "settings" in listing["html"]

    await nina.send(type="say", text="help")
    mine = await nina.until(lambda f: f["type"] == "entry" and f["mine"])
    assert "help" in mine["html"] and "You" in mine["html"]
    listing = await nina.entry_containing("Here is what I can do for you")
    assert "<code>help</code>" in listing["html"] and "<code>settings</code>" in listing["html"]
    assert "<code>admins [add" not in listing["html"]  # nina is not an admin
    await nina.close()


async def test_history_is_replayed_to_a_new_tab(client: Client) -> None:
    first = await Tab.open(client, "zoe.quinn@example.com")
    await first.entry_containing("Welcome, Zoe!")
    await first.send(type="say", text="help")
    await first.entry_containing("Here is what I can do for you")
    await first.close()

    again = await client.ws_connect("/local/ws", params={"as": "zoe.quinn@example.com"})
    history = await again.receive_json()
    assert history["type"] == "history"
    htmls = [e["html"] for e in history["entries"]]
    assert any("Welcome, Zoe!" in h for h in htmls)
    assert any("Here is what I can do" in h for h in htmls)
    await again.close()


async def test_a_restart_keeps_each_conversation_with_working_buttons(
    runtime: Runtime, settings: Settings, clock: FixedClock, content: Content
) -> None:
    async with TestClient(TestServer(build_app(runtime))) as before:
        nina = await Tab.open(before, "nina.new@example.com")
        welcome = await nina.entry_containing("Welcome, Nina!")
        await nina.send(type="say", text="help")
        await nina.entry_containing("Here is what I can do for you")
        uma = await Tab.open(before, "uma@example.com", channel="esc-assistant")
        await uma.send(type="say", text="anyone around?")
        await uma.until(lambda f: f["type"] == "entry" and "anyone around?" in f["html"])
        await nina.close()
        await uma.close()

    store = Store(settings.database_url)  # a new process: nothing shared but the database
    try:
        after = build_runtime(settings, clock=clock, store=store, content=content)
        async with TestClient(TestServer(build_app(after))) as client:
            ws = await client.ws_connect("/local/ws", params={"as": "nina.new@example.com"})
            history = await ws.receive_json()
            shown = {e["id"]: e for e in history["entries"]}
            assert welcome["id"] in shown and shown[welcome["id"]]["html"] == welcome["html"]
            assert any("Here is what I can do for you" in e["html"] for e in history["entries"])
            assert any(e["mine"] and "help" in e["html"] for e in history["entries"])
            nina = Tab(ws)
            action_id, value = button(shown[welcome["id"]], "Show me what you can do")
            await nina.send(type="click", action_id=action_id, value=value, message_id=welcome["id"])
            await nina.entry_containing("Here is what I can do for you")  # the old card's button works
            await nina.close()

            omar = await client.ws_connect(
                "/local/ws", params={"as": "omar@example.com", "channel": "esc-assistant"}
            )
            channel = await omar.receive_json()
            assert [e["html"] for e in channel["entries"] if "anyone around?" in e["html"]]
            await omar.close()
    finally:
        store.close()


async def test_settings_form_errors_then_saves(client: Client) -> None:
    ada = await Tab.open(client, "ada@example.com")
    await ada.send(type="say", text="settings")
    card = await ada.entry_containing("Your settings")
    action_id, value = button(card, "Change")
    assert action_id == "form.open"
    await ada.send(type="click", action_id=action_id, value=value, message_id=card["id"])
    form = await ada.until(lambda f: f["type"] == "form")
    assert form["form_id"] == "people.settings" and 'value="Europe/Berlin"' in form["html"]

    bad = {"timezone": "Mars/Olympus", "workday_start": "25", "workday_end": "8"}
    await ada.send(type="submit", form_id="people.settings", values=bad)
    again = await ada.until(lambda f: f["type"] in ("form", "form_close"))
    assert again["type"] == "form", "a failed submission keeps the form open"
    html = again["html"]
    assert "Use a time zone name such as Europe/Berlin." in html
    assert "A whole hour from 0 to 23." in html
    assert 'value="Mars/Olympus"' in html  # what they typed stays

    good = {"timezone": "Asia/Tokyo", "workday_start": "8", "workday_end": "17"}
    await ada.send(type="submit", form_id="people.settings", values=good)
    saved = await ada.entry_containing("Saved:")
    await ada.until(lambda f: f["type"] == "form_close")
    assert "Asia/Tokyo" in saved["html"] and "08:00–17:00" in saved["html"]

    await ada.send(type="submit", form_id="people.settings", values=good)
    stale = await ada.entry_containing("no longer open")
    assert stale["ephemeral"] and "Type <code>help</code> to start again." in stale["html"]
    await ada.close()


async def test_admin_add_reaches_the_other_tab_live(client: Client, runtime: Runtime) -> None:
    uma = await Tab.open(client, "uma@example.com")
    await uma.send(type="say", text="help")  # once answered, the bot knows how to reach uma
    before = await uma.entry_containing("Here is what I can do for you")
    assert "<code>admins [add" not in before["html"]
    ada = await Tab.open(client, "ada@example.com")

    await ada.send(type="say", text="admins add uma@example.com")
    await ada.entry_containing("is now an admin")
    await runtime.dispatcher.drain()
    notice = await uma.entry_containing("made you an <strong>admin</strong>")
    assert notice["from_bot"]

    await uma.send(type="say", text="help")
    listing = await uma.entry_containing("Here is what I can do for you")
    assert "<code>admins [add" in listing["html"]
    await ada.close()
    await uma.close()


async def test_two_tabs_of_one_person_share_the_conversation(client: Client) -> None:
    one = await Tab.open(client, "uma@example.com")
    two = await Tab.open(client, "uma@example.com", name="Uma B")
    await two.send(type="say", text="hello")
    await one.until(lambda f: f["type"] == "entry" and f["mine"] and "hello" in f["html"])
    await one.entry_containing("Here is what I can do for you")
    await one.close()
    await two.close()


async def test_bad_frames_get_polite_errors_and_the_tab_keeps_working(client: Client) -> None:
    tab = await Tab.open(client, "uma@example.com")
    for raw in (
        "not json",
        "[1, 2]",
        '{"type": "launch"}',
        '{"type": "say", "text": 5}',
        '{"type": "submit", "form_id": "x", "values": {"a": 1}}',
        "[" * 30_000,  # nested past the decoder's recursion limit: once the end of the tab
    ):
        await tab.ws.send_str(raw)
        error = await tab.until(lambda f: f["type"] == "error")
        assert "Traceback" not in error["text"] and error["text"]
    await tab.ws.send_bytes(b"\x00\x01")
    assert (await tab.until(lambda f: f["type"] == "error"))["text"] == "I only understand text messages."
    await tab.send(type="click", action_id="no.such.button", value="", message_id="nope")
    gone = await tab.entry_containing("That button no longer works")
    assert gone["ephemeral"] and "Only you can see this" in gone["html"]
    await tab.send(type="say", text="x" * 50_001)
    refused = (await tab.entry_containing("too long"))["html"]
    assert "too long to send: 50,001 characters, and the chat takes up to 50,000." in refused
    await tab.send(type="say", text="help")
    await tab.entry_containing("Here is what I can do for you")
    await tab.close()


async def test_a_tab_without_a_person_or_from_another_site_is_refused(client: Client) -> None:
    ws = await client.ws_connect("/local/ws", params={"as": "not-an-email"})
    frame = await ws.receive_json()
    assert frame["type"] == "error" and "Pick who you are" in frame["text"]
    await ws.close()
    response = await client.get(
        "/local/ws", params={"as": "uma@example.com"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status == 403


async def test_only_loopback_host_names_are_served_unless_forced(client: Client, runtime: Runtime) -> None:
    """DNS rebinding: evil.example pointed at 127.0.0.1 is same-origin with itself (hardening #7)."""
    port = client.port
    rebound = {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}
    response = await client.get("/local/ws", params={"as": "uma@example.com"}, headers=rebound)
    assert response.status == 403
    page = await client.get("/", params={"as": "uma@example.com"}, headers={"Host": f"evil.example:{port}"})
    assert page.status == 403 and "loopback" in await page.text()

    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", f"chat.localhost:{port}"):
        ws = await client.ws_connect(
            "/local/ws", params={"as": "uma@example.com"}, headers={"Host": host, "Origin": f"http://{host}"}
        )
        assert (await ws.receive_json())["type"] == "history", host
        await ws.close()

    runtime.settings = runtime.settings.model_copy(update={"local_chat_force_remote": True})
    ws = await client.ws_connect("/local/ws", params={"as": "uma@example.com"}, headers=rebound)
    assert (await ws.receive_json())["type"] == "history"
    await ws.close()


async def test_channel_posts_threads_and_ephemeral_replies(client: Client) -> None:
    omar = await Tab.open(client, "omar@example.com", channel="esc-assistant")
    uma = await Tab.open(client, "uma@example.com", channel="esc-assistant")
    await uma.send(type="say", text="just chatting")
    chatter = await omar.until(lambda f: f["type"] == "entry" and "just chatting" in f["html"])
    assert not chatter["from_bot"]
    await uma.send(type="say", text="@coach help")
    post = await omar.until(
        lambda f: f["type"] == "entry" and "@coach help" in f["html"] and not f["from_bot"]
    )
    assert "Uma" in post["html"] and not post["mine"] and "Reply in thread" in post["html"]
    await omar.entry_containing("Here is what I can do for you")  # non-ephemeral: the whole channel sees it

    await omar.send(type="say", text="a thread reply", thread_id=post["id"])
    reply = await uma.until(lambda f: f["type"] == "entry" and "a thread reply" in f["html"])
    assert reply["thread_id"] == post["id"]

    await uma.send(type="click", action_id="no.such.button", value="")
    private = await uma.entry_containing("That button no longer works")
    assert private["ephemeral"]
    await omar.send(type="say", text="ping")
    seen = await omar.until(lambda f: f["type"] == "entry" and "ping" in f["html"])
    assert seen["mine"]
    assert not any("That button no longer works" in f.get("html", "") for f in omar.seen)
    assert not any("Welcome" in f.get("html", "") for f in omar.seen + uma.seen)  # welcomes go to the DM
    assert sum("I didn" in f.get("html", "") for f in omar.seen) == 0  # chatter is not for the bot
    await omar.close()
    await uma.close()


async def test_outcomes_for_an_admin(client: Client) -> None:
    ada = await Tab.open(client, "ada@example.com")  # COACH_ADMINS
    await ada.send(type="say", text="outcomes assistant")
    report = await ada.entry_containing("Outcomes: the last 4 weeks")
    assert "<strong>Compass</strong> (assistant)" in report["html"] and "Clause Checker" not in report["html"]
    await ada.close()


async def test_the_page_says_it_is_a_demo_and_offers_the_people_the_demo_seeded(
    client: Client, runtime: Runtime
) -> None:
    for params in ({}, {"as": "uma@example.com"}, {"as": "uma@example.com", "channel": "esc-assistant"}):
        text = await (await client.get("/", params=params)).text()
        assert (
            '<span id="demo-banner" class="demo-banner" role="note">demo: anyone can act as anyone</span>'
            in text
        )
    sidebar = await (await client.get("/", params={"as": "uma@example.com"})).text()
    for person in demo_people(runtime.content):  # the seeder's list: one source for both
        assert f'href="/?as={person.email.replace("@", "%40")}"' in sidebar
        assert f'title="{person.note}"' in sidebar
        assert f'<span class="role role-{person.role}">{person.role}</span>' in sidebar
    assert 'title="escalation owner of Compass"' in sidebar  # Omar, as systems.yaml names him
