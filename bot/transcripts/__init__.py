"""Transcripts: what was said in a conversation, for a chat surface that keeps no history of its own.

Slack and Teams keep their own; the local web chat keeps its here, so a tab shows its conversation,
cards and working buttons after `coach run` restarts. A conversation is the adapter's opaque key
(`user:EMAIL`, `channel:NAME`); each keeps its newest `service.KEEP` lines. Imported by
adapters.local (through the Store: adapters hold no session) and bot.migrations.tables.
"""
