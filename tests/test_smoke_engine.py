from __future__ import annotations

from adapters.runtime import Runtime
from bot.events import Actor, Place, Said


async def test_help_lists_commands(runtime: Runtime) -> None:
    actor = Actor(
        "local", "local", "ada", display_name="Ada", email="ada@example.com", address={"user": "ada"}
    )
    place = Place("local", "local", "dm-ada", True)
    replies = await runtime.engine.handle(Said(actor, place, "help"))
    texts = [b for r in replies if r.message for b in r.message.blocks]
    assert any("admins" in getattr(b, "markdown", "") for b in texts)
