"""A message object rendered once for as long as it lives.

The engine keeps some messages for reuse (help's listing, one object per role set and permissions): a
platform's rendering of such a message (Block Kit, an Adaptive Card, with their markdown parsing) is kept
beside it and shared by every reply that sends it. Kept by identity, not by value: nothing is hashed, and
an entry goes when its message does, so no one's text outlives the message it came in. A rendering is
shared: callers read it and never change it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from bot.messages import Message

T = TypeVar("T")


class RenderedOnce(Generic[T]):
    def __init__(self, render: Callable[[Message], T]) -> None:
        self._render = render
        self._kept: dict[int, tuple[weakref.ref[Message], T]] = {}

    def __call__(self, message: Message) -> T:
        key = id(message)
        kept = self._kept.get(key)
        if kept is not None and kept[0]() is message:
            return kept[1]
        value = self._render(message)
        self._kept[key] = (weakref.ref(message, lambda _gone: self._kept.pop(key, None)), value)
        return value

    def __len__(self) -> int:
        return len(self._kept)
