"""The router: which flow answers which command, button, form or shortcut.

Each domain's `flows.register(router)` adds its entries; the engine asks the router. Text is matched
on its first word (after an optional `/coach`), so chat, mentions and slash commands share one grammar.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.events import Clicked, Place, Shortcut, Submitted
from bot.messages import Form, Reply
from bot.people.models import role_allows
from bot.store.snapshot import listing
from bot.turn import Turn

CommandHandler = Callable[[Turn, str], list[Reply]]
ActionHandler = Callable[[Turn, Clicked], list[Reply]]
FormBuilder = Callable[[Turn, str], Form]
FormHandler = Callable[[Turn, Submitted], list[Reply]]
ShortcutHandler = Callable[[Turn, Shortcut], list[Reply]]
TextHook = Callable[[Turn, str], list[Reply] | None]
ThreadOwner = Callable[[Session, Place], bool]  # is this thread one the bot started and reads?


Allowed = Callable[[Turn], bool]


@dataclass(frozen=True)
class Usage:
    """A sub-command that needs more than its command does (`owners set`, `friction export`)."""

    usage: str
    summary: str
    role: str = "user"
    allowed: Allowed | None = None


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    handler: CommandHandler
    usage: str = ""
    role: str = "user"  # the least role that may use it: user, owner or admin; the engine enforces it
    aliases: tuple[str, ...] = ()
    topic: str = "General"
    # A finer rule than the role, e.g. announcing needs an admin or a system's change communicator. The
    # handler refuses with its own words; give it the same function, so that help lists exactly whom
    # the handler lets in.
    allowed: Allowed | None = None
    more: tuple[Usage, ...] = ()  # sub-commands help lists to those they allow
    private: bool = False  # a report (people's data, an owner's figures): for the asker's eyes only

    def lets(self, turn: Turn) -> bool:
        return may(turn, role=self.role, allowed=self.allowed)


def may(turn: Turn, *, role: str, allowed: Allowed | None) -> bool:
    return role_allows(role, turn.person.roles) and (allowed is None or allowed(turn))


@dataclass(frozen=True)
class FormSpec:
    form_id: str
    build: FormBuilder
    submit: FormHandler


@dataclass
class Router:
    commands: dict[str, Command] = field(default_factory=dict)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    forms: dict[str, FormSpec] = field(default_factory=dict)
    shortcuts: dict[str, ShortcutHandler] = field(default_factory=dict)
    text_hooks: list[TextHook] = field(default_factory=list)
    thread_hooks: list[TextHook] = field(default_factory=list)  # replies in threads the bot started
    thread_owners: list[ThreadOwner] = field(default_factory=list)  # which threads those are
    on_first_contact: list[Callable[[Turn], list[Reply]]] = field(default_factory=list)
    home: Callable[[Turn], list[Reply]] | None = None

    def command(self, command: Command) -> None:
        for name in (command.name, *command.aliases):
            if name in self.commands:
                raise ValueError(f"command {name!r} registered twice")
            self.commands[name] = command

    def action(self, action_id: str, handler: ActionHandler) -> None:
        if action_id in self.actions:
            raise ValueError(f"action {action_id!r} registered twice")
        self.actions[action_id] = handler

    def form(self, spec: FormSpec) -> None:
        if spec.form_id in self.forms:
            raise ValueError(f"form {spec.form_id!r} registered twice")
        self.forms[spec.form_id] = spec

    def shortcut(self, shortcut_id: str, handler: ShortcutHandler) -> None:
        self.shortcuts[shortcut_id] = handler

    def visible_commands(self, turn: Turn) -> list[Command]:
        """The commands this person may use, by topic: what help lists and typos are matched against."""
        with listing(turn.session):
            seen = {command.name: command for command in self.commands.values() if command.lets(turn)}
        return sorted(seen.values(), key=lambda c: (c.topic, c.name))

    def lets(self, turn: Turn, name: str) -> bool:
        """Whether to show this person the command called `name` (a button standing for it, say): a listing,
        whose permission rules may answer from the process's snapshot (`bot/store/snapshot`)."""
        command = self.commands.get(name)
        with listing(turn.session):
            return command is not None and command.lets(turn)

    def closest(self, word: str, turn: Turn) -> Sequence[str]:
        """The two commands this person may use that `word` most looks like. Words are matched against every
        command first, and permissions asked only of the few that look alike: most words ("thanks") look
        like none, and asking who may do what reads the role registry, drills and authorship."""
        names = tuple(sorted({c.name for c in self.commands.values()}))
        alike = _close_matches(word, names)  # best first; a score does not depend on the other names
        return tuple(name for name in alike if self.lets(turn, name))[:2]


@functools.lru_cache(maxsize=1024)  # difflib is slow, and people repeat the same words ("thanks", "hi")
def _close_matches(word: str, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(difflib.get_close_matches(word, names, n=len(names), cutoff=0.6))


def split_command(text: str) -> tuple[str, str]:
    """('flag', 'the rest') from '/coach flag the rest', 'flag the rest' or 'Flag: the rest'."""
    words = text.strip().split(maxsplit=1)
    if words and words[0].lower() in ("/coach", "coach"):
        words = words[1].split(maxsplit=1) if len(words) > 1 else []
    if not words:
        return "", ""
    head = words[0].lower().rstrip(":,.!?")
    return head, words[1].strip() if len(words) > 1 else ""
