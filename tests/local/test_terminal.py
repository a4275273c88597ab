"""`coach chat`: the terminal chat driven line by line, and the command's wiring."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app as coach
from adapters.local.terminal import LineSource, TerminalChat
from adapters.runtime import Runtime
from bot.events import Actor, Place, Said
from bot.migrations.migrate import create_all
from bot.store.db import Store
from tests.local.helpers import HANG_GUARD

PROJECT = Path(__file__).resolve().parents[2]


class Screen(io.StringIO):
    """The terminal's output, with a way to wait until something shows up."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Event()

    def write(self, text: str) -> int:
        self.changed.set()
        return super().write(text)

    async def wait_for(self, text: str, *, times: int = 1) -> None:
        while self.getvalue().count(text) < times:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), timeout=HANG_GUARD)


def keyboard(*lines: str | None) -> tuple[asyncio.Queue[str | None], LineSource]:
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    for line in lines:
        queue.put_nowait(line)
    return queue, queue.get


async def test_a_whole_session(runtime: Runtime) -> None:
    queue, read = keyboard()
    screen = Screen()
    chat = TerminalChat(runtime=runtime, email="zoe.new@example.com", name=None, read=read, out=screen)
    session = asyncio.create_task(chat.run())

    async def type_then_see(line: str, shown: str, *, times: int = 1) -> None:
        queue.put_nowait(line)
        await screen.wait_for(shown, times=times)

    def number(label: str) -> str:
        return str(re.findall(rf"\[(\d+)\] {re.escape(label)}", screen.getvalue())[-1])

    await screen.wait_for("[1] Show me what you can do")
    await type_then_see("help", "Here is what I can do for you")
    await type_then_see(number("Show me what you can do"), "Here is what I can do for you", times=2)
    await type_then_see("settings", "Change")
    await type_then_see(number("Change"), "Time zone [")  # the form, field by field
    await type_then_see("Nowhere/Land", "Working day starts (hour, 0–23) (a number) [9]: ")
    await type_then_see("25", "Working day ends (hour, 1–24) (a number) [17]: ")
    await type_then_see("", "Time zone [Nowhere/Land]: ")  # only the fields with errors are asked again
    await type_then_see("Asia/Tokyo", "Working day starts (hour, 0–23) (a number) [25]: ")
    await type_then_see("8", "Saved: Asia/Tokyo, 08:00–17:00.")
    await type_then_see("99", "There is no choice 99.")
    await type_then_see("\x1b[31mred", "I didn't understand that.")
    queue.put_nowait("/quit")
    queue.put_nowait("never read")
    await session

    out = screen.getvalue()
    assert "you are Zoe New <zoe.new@example.com>. (demo: anyone can act as anyone)" in out
    assert out.count("Here is what I can do for you") == 2
    assert "• settings: Your time zone and working hours" in out  # a code span, without its backticks
    assert "Type help to start" in out and "`" not in out
    assert "📝 Your settings" in out and "An IANA name such as" in out
    assert "• Time zone: Use a time zone name such as Europe/Berlin." in out
    assert "• Working day starts (hour, 0–23): A whole hour from 0 to 23." in out
    assert "\x1b" not in out
    assert out.rstrip().endswith("Bye!")
    assert "Traceback" not in out


class Terminal(Screen):
    def isatty(self) -> bool:
        return True


async def test_a_terminal_shows_code_and_bold_styled(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    _queue, read = keyboard("help", None)
    screen = Terminal()
    await TerminalChat(runtime=runtime, email="zoe@example.com", name=None, read=read, out=screen).run()
    out = screen.getvalue()
    assert "• \x1b[36msettings\x1b[39m: Your time zone and working hours" in out
    assert "\x1b[1mEscalations\x1b[22m" in out and "`" not in out and "**" not in out

    monkeypatch.setenv("NO_COLOR", "1")
    _queue, read = keyboard("help", None)
    plain = Terminal()
    await TerminalChat(runtime=runtime, email="zoe@example.com", name=None, read=read, out=plain).run()
    assert "\x1b" not in plain.getvalue()


async def test_proactive_messages_arrive_while_chatting(runtime: Runtime) -> None:
    queue, read = keyboard()
    screen = Screen()
    chat = TerminalChat(runtime=runtime, email="nina@example.com", name="Nina", read=read, out=screen)
    session = asyncio.create_task(chat.run())
    await screen.wait_for("Welcome, Nina!")

    ada = Actor(
        "local", "local", "ada@example.com", email="ada@example.com", address={"user": "ada@example.com"}
    )
    place = Place("local", "local", "dm:ada@example.com", True, address={"user": "ada@example.com"})
    await runtime.engine.handle(Said(ada, place, "admins add nina@example.com"))
    await runtime.dispatcher.drain()
    await screen.wait_for("made you an admin of the adoption coach")

    queue.put_nowait(None)  # end of input
    await session
    assert screen.getvalue().rstrip().endswith("Bye!")


async def test_end_of_input_inside_a_form_ends_quietly(runtime: Runtime) -> None:
    _queue, read = keyboard("settings", "2", "Europe/Paris", "/cancel", "2", None)
    screen = Screen()
    chat = TerminalChat(runtime=runtime, email="zoe@example.com", name=None, read=read, out=screen)
    await chat.run()
    out = screen.getvalue()
    assert "Form cancelled." in out
    assert out.rstrip().endswith("Bye!") and "Traceback" not in out


def test_the_chat_command_exits_cleanly_at_end_of_input(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'chat.db'}"

    def create(database_url: str, **_: object) -> None:  # the schema, without depending on migrations
        store = Store(database_url)
        create_all(store)
        store.close()

    monkeypatch.setattr("bot.migrations.migrate.upgrade", create)
    env = {
        "COACH_DATABASE_URL": url,
        "COACH_ADMINS": "ada@example.com",
        "COACH_CONTENT_DIR": str(PROJECT / "content"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(coach, ["chat", "--as", "ada@example.com"], input="help\n")
    assert result.exit_code == 0, result.output
    assert "Here is what I can do for you" in result.output and "Bye!" in result.output

    bad = CliRunner().invoke(coach, ["chat", "--as", "not an email"])
    assert bad.exit_code == 2 and "not an email address" in bad.output
    assert "Traceback" not in bad.output
