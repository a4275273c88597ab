"""The dashboard's pages on the coach's aiohttp app: sign-in, sessions, pages, CSV (bot.dashboard decides)."""
