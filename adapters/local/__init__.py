"""The local web chat and terminal chat: the embedded default, the demo and the end-to-end harness.

`web.mount(app, runtime)` serves the chat page at `/` with its WebSocket and static files, and
registers `LocalSender` as the outbox's sender for platform "local"; `terminal` is `coach chat`.
Both speak to the engine through `conversation` (neutral events in, replies placed in the `hub`)
and render with pure functions (`render` for HTML, `text` for the terminal). Only adapters.web
and adapters.cli import this package; it never imports adapters.slack or adapters.teams.
"""
