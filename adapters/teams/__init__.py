"""Microsoft Teams: botbuilder's CloudAdapter at /api/messages, Adaptive Cards, proactive sends."""
