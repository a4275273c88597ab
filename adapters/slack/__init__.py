"""Slack: the slack-bolt AsyncApp on the shared aiohttp server, Block Kit rendering, the Web API sender."""
