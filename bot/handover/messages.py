"""The pack in chat: a summary that fits a message (chat limits), the full pack being a command away."""

from __future__ import annotations

from bot.handover.document import Document, Section, Table
from bot.markdown import escape
from bot.messages import Context, Header, Message, Text

MAX_ROWS = 8  # per table: a chat message stays readable; the file has everything


def summary(doc: Document, system_key: str) -> Message:
    blocks: list[Header | Text | Context] = [Header(doc.title)]
    for section in doc.sections:
        lines = _lines(section)
        if lines:
            blocks.append(Text(f"**{escape(section.title)}**\n" + "\n".join(lines)))
    blocks.append(
        Context(
            f"The full pack (every row, printable): `coach handover {escape(system_key)} --html > pack.html` "
            "on the coach's host."
        )
    )
    return Message(summary=doc.title, blocks=tuple(blocks))


def _lines(section: Section) -> list[str]:
    out: list[str] = []
    for block in section.blocks:
        if isinstance(block, str):
            out.append(escape(block))
        elif isinstance(block, list):
            out += [f"- {escape(item)}" for item in block[:MAX_ROWS]]
            if len(block) > MAX_ROWS:
                out.append(f"- and {len(block) - MAX_ROWS} more")
        elif not block.rows:
            out.append(escape(block.empty))
        else:
            out += [_row(block, row) for row in block.rows[:MAX_ROWS]]
            if len(block.rows) > MAX_ROWS:
                out.append(f"- and {len(block.rows) - MAX_ROWS} more")
    return out


def _row(table: Table, row: tuple[str, ...]) -> str:
    first, *rest = row
    return f"- **{escape(first)}**: " + "; ".join(
        f"{escape(h)} {escape(c)}" for h, c in zip(table.header[1:], rest, strict=True)
    )
