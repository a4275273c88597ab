"""`coach chat`: the local chat in a terminal, for one person, with an in-process engine.

Lines typed are said to the bot; a number picks a numbered button; forms are asked field by field.
Everything the person's conversation receives (replies and proactive messages from the outbox) is
printed as it arrives. End of input ends the chat quietly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from adapters.local import text as render
from adapters.local.conversation import Conversation, Outcome
from adapters.local.directory import LocalDirectory
from adapters.local.hub import Entry, Hub
from adapters.local.identity import clean_timezone
from adapters.local.sender import BOT_NAME, LocalSender
from adapters.runtime import Runtime
from bot.messages import Field, Form

log = logging.getLogger(__name__)

LineSource = Callable[[], Awaitable[str | None]]  # the next line typed, or None at end of input
QUIT = ("/quit", "/exit")
DEMO_BANNER = "(demo: anyone can act as anyone)"
INDENT = render.INDENT
RECENT = 20  # lines of the conversation so far shown on start; the web chat shows them all


class EndOfInput(Exception):
    pass


class TerminalChat:
    def __init__(
        self, *, runtime: Runtime, email: str, name: str | None, read: LineSource, out: TextIO
    ) -> None:
        self.hub = Hub(store=runtime.store, clock=runtime.clock)
        runtime.dispatcher.senders["local"] = LocalSender(self.hub)
        runtime.directories["local"] = LocalDirectory(self.hub)
        self.conversation = Conversation(
            engine=runtime.engine, hub=self.hub, email=email, name=name, timezone=system_timezone()
        )
        self.read = read
        self.out = out
        self.style = render.ANSI if styled(out) else render.PLAIN
        self.choices: dict[int, tuple[str, render.Choice]] = {}
        self._next_number = 1

    async def run(self) -> None:
        me = self.conversation.actor
        self.say(
            f"Adoption Coach — you are {render.clean(me.display_name or '')} <{me.email}>. {DEMO_BANNER}"
        )
        self.note("Type `help` to start, a choice's number to pick it, `/quit` to leave.")
        self.say("")
        self.hub.subscribe(self.conversation.key, self)
        try:
            for entry in await self.hub.history(self.conversation.key, limit=RECENT):
                self.show_entry(entry, replaced=False)
            await self.act(self.conversation.open())
            while (line := await self.read()) is not None:
                line = line.strip()
                if line.lower() in QUIT:
                    break
                await self.handle(line)
        except EndOfInput:
            pass
        finally:
            self.hub.unsubscribe(self.conversation.key, self)
        self.say("Bye!")

    async def handle(self, line: str) -> None:
        if not line:
            return
        if line.isdigit():
            picked = self.choices.get(int(line))
            if picked is None:
                self.note(f"There is no choice {line}. Type `help` to see what I can do.")
                return
            message_id, choice = picked
            await self.act(
                self.conversation.click(
                    message_id=message_id, action_id=choice.button.action_id, value=choice.button.value
                )
            )
            return
        await self.act(self.conversation.say(line))

    async def act(self, work: Awaitable[Outcome]) -> None:
        """Run one action and show its private results; a failure is a short note, never a traceback."""
        try:
            outcome = await work
        except EndOfInput:
            raise
        except Exception:
            reference = secrets.token_hex(4)
            log.exception("terminal chat action failed [ref %s]", reference)
            self.say(f"Sorry, something went wrong on my side (reference {reference}).")
            return
        await self.show(outcome)

    async def show(self, outcome: Outcome) -> None:
        for entry in outcome.private:
            self.show_entry(entry, replaced=False)
        if outcome.dialog is not None:
            dialog = Entry(id=self.hub.new_id(), author=BOT_NAME, message=outcome.dialog, ephemeral=True)
            self.show_entry(dialog, replaced=False)
        if outcome.form is not None:
            await self.fill(outcome.form)

    def show_entry(self, entry: Entry, *, replaced: bool) -> None:
        if entry.author_email == self.conversation.email:
            return  # what this person typed is already on their screen
        if entry.message is None:
            self.say(f"{render.clean(entry.author)}: {render.clean(entry.text or '')}")
            return
        lines, choices = render.render_message(
            entry.message, first_number=self._next_number, style=self.style
        )
        for choice in choices:
            self.choices[choice.number] = (entry.id, choice)
        self._next_number += len(choices)
        notes = [n for n, on in (("updated", replaced), ("only you can see this", entry.ephemeral)) if on]
        head = f"{render.clean(entry.author)}" + (f" ({', '.join(notes)})" if notes else "") + ":"
        prefix = "  ↳ " if entry.thread_id else ""
        self.say(prefix + head, *((prefix + INDENT + line).rstrip() for line in lines), "")

    async def fill(self, form: Form) -> None:
        """Ask a form field by field; on errors ask again only the fields that were wrong."""
        self.say(*render.form_header(form, style=self.style))
        values: dict[str, str] = {}
        ask = list(form.fields)
        while True:
            for field in ask:
                answer = await self.ask_field(field, current=values.get(field.name, field.initial))
                if answer is None:
                    self.say("Form cancelled.", "")
                    return
                values[field.name] = answer
            outcome = await self._submit(form, values)
            if outcome is None:
                return
            if outcome.form_errors:
                self.say("Some answers need another look:")
                for name, problem in outcome.form_errors.items():
                    label = next((f.label for f in form.fields if f.name == name), name)
                    self.say(f"  • {render.clean(label)}: {render.clean(problem)}")
                ask = [f for f in form.fields if f.name in outcome.form_errors] or list(form.fields)
                for entry in outcome.private:
                    self.show_entry(entry, replaced=False)
                continue
            await self.show(outcome)
            return

    async def _submit(self, form: Form, values: dict[str, str]) -> Outcome | None:
        try:
            return await self.conversation.submit(form=form, values=values)
        except Exception:
            reference = secrets.token_hex(4)
            log.exception("terminal chat form failed [ref %s]", reference)
            self.say(f"Sorry, something went wrong on my side (reference {reference}).")
            return None

    async def ask_field(self, field: Field, *, current: str | None) -> str | None:
        before, prompt = render.field_prompt(field, current=current, style=self.style)
        self.say(*before)
        while True:
            self.out.write(prompt)
            self.out.flush()
            line = await self.read()
            if line is None:
                self.say("")
                raise EndOfInput
            if line.strip().lower() == "/cancel":
                return None
            value, problem = render.field_answer(field, line, current=current)
            if problem is None and value is not None:
                return value
            self.say(f"  {problem}")

    def say(self, *lines: str) -> None:
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    def note(self, markdown: str) -> None:
        """A line of the chat's own, in the same markdown as the bot's messages."""
        self.say(*render.markdown_lines(markdown, style=self.style))


def styled(out: TextIO) -> bool:
    """Whether `out` is a terminal that shows styles (https://no-color.org turns them off)."""
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def stdin_lines() -> LineSource:
    """Lines from stdin read on a daemon thread, so a pending read never holds up exit."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="coach-chat-stdin", daemon=True).start()

    async def read() -> str | None:
        return await queue.get()

    return read


async def run_terminal(runtime: Runtime, *, email: str, name: str | None, out: TextIO | None = None) -> None:
    chat = TerminalChat(runtime=runtime, email=email, name=name, read=stdin_lines(), out=out or sys.stdout)
    dispatcher = asyncio.create_task(runtime.dispatcher.run_forever(), name="outbox-dispatcher")
    try:
        await chat.run()
    finally:
        await stop(dispatcher)


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel until it ends: on Python 3.11 `asyncio.wait_for` swallows a cancel that lands just as
    the awaited event fires (the dispatcher's idle wait), so one cancel is not always enough."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.5)
    with contextlib.suppress(asyncio.CancelledError):
        task.result()


def system_timezone() -> str | None:
    """The machine's IANA time zone, when it can be told (TZ, or where /etc/localtime points)."""
    zone = clean_timezone(os.environ.get("TZ", "").lstrip(":"))
    if zone:
        return zone
    with contextlib.suppress(OSError):
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            return clean_timezone(target.split("zoneinfo/", 1)[1])
    return None
