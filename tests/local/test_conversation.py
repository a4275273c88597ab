"""How replies are placed: replace the clicked message, reply in its thread, keep ephemeral ones private."""

from __future__ import annotations

from adapters.local.conversation import Conversation
from adapters.local.hub import Entry, Hub
from adapters.runtime import Runtime
from bot.events import Clicked
from bot.messages import Actions, Button, Message, Reply, Text, text_message
from bot.routing import Command
from bot.turn import Turn


class Recorder:
    def __init__(self) -> None:
        self.got: list[tuple[Entry, bool]] = []

    def show_entry(self, entry: Entry, *, replaced: bool) -> None:
        self.got.append((entry, replaced))


def with_test_buttons(runtime: Runtime) -> None:
    router = runtime.engine.router

    def offer(turn: Turn, _rest: str) -> list[Reply]:
        buttons = (
            Button("t.replace", "Replace"),
            Button("t.thread", "Thread"),
            Button("t.private", "Private"),
        )
        return [Reply(message=Message("offer", (Text("Pick one"), Actions(buttons))))]

    def replace(turn: Turn, _event: Clicked) -> list[Reply]:
        return [Reply(message=text_message("Done: replaced"), replace_source=True)]

    def thread(turn: Turn, _event: Clicked) -> list[Reply]:
        return [Reply(message=text_message("In the thread"), in_thread=True)]

    def private(turn: Turn, _event: Clicked) -> list[Reply]:
        return [Reply(message=text_message("Just for you"), ephemeral=True)]

    router.command(Command("offer", "test", offer))
    router.action("t.replace", replace)
    router.action("t.thread", thread)
    router.action("t.private", private)


async def test_replies_are_placed_where_they_belong(runtime: Runtime) -> None:
    with_test_buttons(runtime)
    hub = Hub(store=runtime.store, clock=runtime.clock)
    watcher = Recorder()
    me = Conversation(engine=runtime.engine, hub=hub, email="uma@example.com", name="Uma")
    hub.subscribe(me.key, watcher)
    await me.open()
    await me.say("offer")
    offer = next(e for e, _ in watcher.got if e.message and e.message.summary == "offer")

    outcome = await me.click(message_id=offer.id, action_id="t.thread", value="")
    threaded = watcher.got[-1][0]
    assert outcome.private == [] and threaded.thread_id == offer.id

    outcome = await me.click(message_id=offer.id, action_id="t.private", value="")
    assert [e.message.summary for e in outcome.private if e.message] == ["Just for you"]
    assert outcome.private[0].ephemeral and watcher.got[-1][0] is threaded  # nobody else saw it

    await me.click(message_id=offer.id, action_id="t.replace", value="")
    replaced, was_replace = watcher.got[-1]
    assert was_replace and replaced.id == offer.id
    assert await hub.find(me.key, offer.id) == replaced
    assert replaced.message is not None and replaced.message.summary == "Done: replaced"


async def test_replace_on_a_private_message_stays_private(runtime: Runtime) -> None:
    with_test_buttons(runtime)
    hub = Hub(store=runtime.store, clock=runtime.clock)
    me = Conversation(engine=runtime.engine, hub=hub, email="uma@example.com")
    outcome = await me.click(message_id="private-1", action_id="t.replace", value="")
    assert [(e.id, e.ephemeral) for e in outcome.private] == [("private-1", True)]


async def test_channel_conversation_uses_the_channel_address(runtime: Runtime) -> None:
    hub = Hub(store=runtime.store, clock=runtime.clock)
    me = Conversation(engine=runtime.engine, hub=hub, email="uma@example.com", channel="esc-assistant")
    assert me.key == "channel:esc-assistant"
    place = me.place("t-1")
    assert place.address == {"channel": "esc-assistant"} and not place.is_direct and place.thread_id == "t-1"
    assert me.actor.address == {"user": "uma@example.com"}
    await me.say("just chatting")
    assert [e.author for e in await hub.history(me.key)] == ["Uma"]  # not for the bot: no reply
    await me.say("@coach help")
    authors = [e.author for e in await hub.history(me.key)]
    assert authors[:2] == ["Uma", "Uma"] and "Adoption Coach" in authors[2:]
    assert all("Welcome" not in (e.message.summary if e.message else "") for e in await hub.history(me.key))
