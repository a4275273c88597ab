"""The inbox: inbound events a platform was told were received (Slack's ack) that a stopping process
had not handled yet.

Slack never sends an acknowledged event again, so a process that must stop before it has handled
everything it acknowledged parks the rest here (the neutral event and, as opaque JSON only that adapter
reads, how to reply) and the next process to start, or any running one, takes them and handles them.
Imported by adapters.slack (through the Store) and bot.migrations.tables.
"""
