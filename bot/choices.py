"""Buttons that record a choice (Got it, an answer, a rating, Confirm) and the message they came on.

Once a choice is made, the message that carried the buttons is updated in place to show it, and its
choice buttons go (`chosen`: a `replace_source` reply; Slack chat.update, a Teams card update, the
local chat in place). A click on a copy that still shows them (a double click, a second device, an
update that failed) changes nothing: it puts the message right again and tells the clicker, privately,
what was recorded (`already`). Flows decide what a choice is and whether it was made; the settled
message is a pure function of what is recorded, so every click on one message shows the same thing.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.markdown import escape
from bot.messages import Actions, Block, Button, Message, Reply, Text, text_message

ALREADY = "Already recorded: {}"


def settle(message: Message, *, note: str, is_choice: Callable[[Button], bool]) -> Message:
    """`message` with its choice buttons gone and `note` (markdown) where the first of them stood.

    Other buttons (a link, Snooze, "I have a question") stay: they still work after the choice.
    """
    blocks: list[Block] = []
    shown = Text(f"✅ {note}")
    placed = False
    for block in message.blocks:
        if not isinstance(block, Actions) or not any(is_choice(b) for b in block.buttons):
            blocks.append(block)
            continue
        if not placed:
            blocks.append(shown)
            placed = True
        kept = tuple(b for b in block.buttons if not is_choice(b))
        if kept:
            blocks.append(Actions(kept))
    if not placed:
        blocks.append(shown)
    return Message(summary=message.summary, blocks=tuple(blocks))


def chosen(settled: Message) -> list[Reply]:
    """The answer to a click that recorded a choice: its message, updated to show it."""
    return [Reply(message=settled, replace_source=True)]


def already(settled: Message | None, recorded: str) -> list[Reply]:
    """The answer to a click on a choice made before: nothing changes; the clicker hears what stands.

    `recorded` is plain text (a label, an answer a person typed), escaped here.
    """
    note = Reply(message=text_message(ALREADY.format(f"**{escape(recorded)}**")), ephemeral=True, stale=True)
    if settled is None:
        return [note]
    return [Reply(message=settled, replace_source=True), note]


def by_action(*action_ids: str) -> Callable[[Button], bool]:
    """The usual test for a choice button: its action id."""
    wanted = frozenset(action_ids)
    return lambda button: button.action_id in wanted
